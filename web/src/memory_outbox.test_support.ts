// An outbox kept in memory, for the sync tests of records and of tag-life events alike.
import type { OutboxRecord } from './db';
import type { OutboxPort } from './sync';

export class MemoryOutbox implements OutboxPort {
  readonly records = new Map<string, OutboxRecord>();
  constructor(list: OutboxRecord[]) {
    for (const r of list) this.records.set(r.id, structuredClone(r));
  }
  async pending() {
    return [...this.records.values()].filter((r) => r.state === 'pending').sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async remove(ids: string[]) {
    for (const id of ids) this.records.delete(id);
  }
  async reject(list: { id: string; error: OutboxRecord['error'] }[]) {
    for (const { id, error } of list) {
      const r = this.records.get(id)!;
      this.records.set(id, { ...r, state: 'rejected', error, attempts: r.attempts + 1 });
    }
  }
  count(state: OutboxRecord['state']) {
    return [...this.records.values()].filter((r) => r.state === state).length;
  }
}
