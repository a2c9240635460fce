// Ids made on the phone. A vaccination record's id is a UUIDv7 (RFC 9562): the first 48 bits are the
// Unix time in milliseconds, so ids sort by the time they were made and the server's index stays
// compact; the rest is random (crypto.getRandomValues), so two phones never make the same id.
// Within one millisecond, or when the clock steps back, the time prefix is held and a 12-bit counter
// in rand_a counts up, so ids made on one phone never go backwards.

type Random = (bytes: Uint8Array) => Uint8Array;

const cryptoRandom: Random = (bytes) => crypto.getRandomValues(bytes);

let lastMs = -1;
let counter = 0;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function uuidv7(now: number = Date.now(), random: Random = cryptoRandom): string {
  const bytes = random(new Uint8Array(16));
  let ms = Math.floor(now);
  if (ms <= lastMs) {
    // Same millisecond or the clock stepped back: keep the last time, count up in rand_a.
    ms = lastMs;
    counter += 1;
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next millisecond.
      ms = lastMs + 1;
      counter = 0;
    }
  } else {
    // A fresh millisecond starts the counter at a random value in its lower half, leaving room.
    counter = ((bytes[6] & 0x07) << 8) | bytes[7];
  }
  lastMs = ms;
  // 48-bit big-endian milliseconds (beyond 2^32, so no bitwise operators on the whole value).
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f); // version 7 + the counter's high 4 bits
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10xx
  return hex(bytes);
}

// A random UUIDv4 (the device id). crypto.randomUUID exists only in secure contexts; a station
// server on plain http over the LAN is not one, so it is made by hand.
export function uuidv4(random: Random = cryptoRandom): string {
  const bytes = random(new Uint8Array(16));
  bytes[6] = 0x40 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  return hex(bytes);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

// The millisecond time in a UUIDv7, or null for anything else.
export function uuidv7Time(id: string): number | null {
  if (!UUID_RE.test(id) || id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
