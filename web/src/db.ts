// The data kept on the phone, in IndexedDB (through idb). One database, one version for the whole
// app; a store is added by raising DB_VERSION and adding it in upgrade().
//   outbox: vaccination records made on this phone, keyed by their UUIDv7, until the server has them
//   owners: owners this phone has seen or created, keyed by E.164-ish phone as typed normalised
//   certs:  certificates this phone issued or checked, keyed by id
//   kv:     small values: trust list, revocation list, their fetch times, the device id
//   events: (version 2) tag-life events made on this phone (an animal died, its tag was replaced…),
//           keyed by their UUIDv7, until the server has them; the same shape and rules as `outbox`
//   passages: (version 3) certificates scanned at a checkpoint on this phone (passages.ts), keyed by
//           their UUIDv7; kept after the server has them ('sent', with its answer: flagged or not)
//   fieldcopy: (version 4) W10, the field copy of a district (fieldcopy.ts): one record per owner
//           (the owner, their animals, vaccinations and certificates), keyed by owner id, indexed by
//           the owner's last nine phone digits; its meta (cursor, size, age) in kv
//   outbreaks: (version 5) W14 outbreak reports made on this phone (outbreaks.ts), keyed by their
//           UUIDv7; kept after the server has them ('sent'), so the reporter sees what went
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { OwnerBundle } from './fieldcopy';

// Who made a record on this phone: it goes to the server only in that user's session.
export interface RecordMaker {
  id: string;
  username: string;
}

export interface OutboxRecord {
  id: string;
  user?: RecordMaker; // absent on records made before records carried their maker: anyone's
  state: 'pending' | 'sent' | 'rejected';
  created_at: string;
  record: Record<string, unknown>; // the W1 batch record as the API takes it
  error?: { code?: string; message: string; field?: string };
  attempts: number;
}

interface HerdPassDB extends DBSchema {
  outbox: { key: string; value: OutboxRecord; indexes: { state: string } };
  owners: { key: string; value: Record<string, unknown> & { phone: string } };
  certs: { key: string; value: Record<string, unknown> & { id: string } };
  kv: { key: string; value: unknown };
  events: { key: string; value: OutboxRecord; indexes: { state: string } };
  passages: { key: string; value: OutboxRecord; indexes: { state: string } };
  fieldcopy: { key: number; value: OwnerBundle; indexes: { phone9: string } };
  outbreaks: { key: string; value: OutboxRecord; indexes: { state: string } };
}

const DB_NAME = 'herdpass';
const DB_VERSION = 5;
let dbPromise: Promise<IDBPDatabase<HerdPassDB>> | null = null;

export function db(): Promise<IDBPDatabase<HerdPassDB>> {
  dbPromise ??= openDB<HerdPassDB>(DB_NAME, DB_VERSION, {
    // Each step adds what its version brought, so a phone on any older version keeps its stores and
    // their records (the W1 records waiting in `outbox` above all) and gets only what it lacks.
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        const outbox = d.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('state', 'state');
        d.createObjectStore('owners', { keyPath: 'phone' });
        d.createObjectStore('certs', { keyPath: 'id' });
        d.createObjectStore('kv');
      }
      if (oldVersion < 2) {
        const events = d.createObjectStore('events', { keyPath: 'id' });
        events.createIndex('state', 'state');
      }
      if (oldVersion < 3) {
        const passages = d.createObjectStore('passages', { keyPath: 'id' });
        passages.createIndex('state', 'state');
      }
      if (oldVersion < 4) {
        const copy = d.createObjectStore('fieldcopy', { keyPath: 'owner_id' });
        copy.createIndex('phone9', 'phone9');
      }
      if (oldVersion < 5) {
        const outbreaks = d.createObjectStore('outbreaks', { keyPath: 'id' });
        outbreaks.createIndex('state', 'state');
      }
    },
  });
  return dbPromise;
}

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('kv', key)) as T | undefined;
}

export async function kvSet(key: string, value: unknown): Promise<void> {
  await (await db()).put('kv', value, key);
}

// Asks the browser not to evict this origin's data under storage pressure (records waiting to sync
// live here). Returns whether storage is persistent.
export async function askPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist();
}

export async function kvDelete(key: string): Promise<void> {
  await (await db()).delete('kv', key);
}
