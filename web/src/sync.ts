// Placeholder until the outbox and sync land: records made on the phone wait in IndexedDB (db.ts
// `outbox`) and go to POST /vaccinations/batch when the network is back.
export function startAutoSync(): void {}

export async function pendingCount(): Promise<number> {
  return 0;
}
