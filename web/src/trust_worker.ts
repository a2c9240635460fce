// The trust list refresh (trust.ts) run in a worker: fetching is cheap, but checking the lists'
// Ed25519 signatures builds @noble/ed25519's tables on first use, a few hundred milliseconds on a
// slow phone that would block the page while it loads (issue 11 item 13). The worker answers each
// message with the refresh's outcome; the lists it keeps are in IndexedDB, shared with the page.
import { refreshListsHere } from './trust';

self.onmessage = async () => {
  self.postMessage(await refreshListsHere());
};
