// Photo decoding (photo_zxing.ts) off the page's thread: decoding a photo and reading it with
// zxing-cpp takes up to a few hundred milliseconds on a slow phone, which would freeze the page.
// Each message is {id, photo, kind}; the answer is {id, text} (text null when no code is read) or
// {id, error}.
import { readWithZxing, type PhotoKind } from './photo_zxing';

self.onmessage = async (e: MessageEvent<{ id: number; photo: Blob; kind: PhotoKind }>) => {
  const { id, photo, kind } = e.data;
  try {
    self.postMessage({ id, text: await readWithZxing(photo, kind) });
  } catch (err) {
    self.postMessage({ id, error: String(err) });
  }
};
