// base45 (RFC 9285), stage 2 of HP1 (docs/hp1-format.md section 2).
//
// Hand-written, as cert/base45.cpp is: the npm `base45` package needs Node's Buffer (not in the
// browser without a polyfill) and does not reject invalid input (characters outside the alphabet,
// a length of the form 3k+1, groups over 65535 or 255), which a verifier of outside input must.
// RFC 9285 is a page of arithmetic: two bytes become three characters of the QR alphanumeric set.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// Value of each character code (0..127), -1 for anything else (lower case included).
const DECODE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export class Base45Error extends Error {}

export function base45Encode(data: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 1 < data.length; i += 2) {
    const n = data[i] * 256 + data[i + 1];
    out += ALPHABET[n % 45] + ALPHABET[Math.floor(n / 45) % 45] + ALPHABET[Math.floor(n / 2025)];
  }
  if (i < data.length) out += ALPHABET[data[i] % 45] + ALPHABET[Math.floor(data[i] / 45)];
  return out;
}

// Throws Base45Error (reason `base45`) with what was wrong.
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error(`length ${text.length} is not a base45 length`);
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const n = Math.min(3, text.length - i);
    let v = 0;
    let weight = 1;
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(i + k);
      const d = c < 128 ? DECODE[c] : -1;
      if (d < 0) throw new Base45Error(`character ${i + k} is not base45`);
      v += d * weight;
      weight *= 45;
    }
    if (n === 3) {
      if (v > 0xffff) throw new Base45Error(`group at ${i} is over 65535`);
      out[o++] = v >> 8;
      out[o++] = v & 0xff;
    } else {
      if (v > 0xff) throw new Base45Error('last group is over 255');
      out[o++] = v;
    }
  }
  return out;
}
