// A bounded CBOR reader for outside input (RFC 8949), the TypeScript twin of cert/'s CborTree
// (cert/detail/cbor.h): exactly one well-formed item and nothing after it, nesting at most
// `maxDepth` deep (arrays, maps, tags and chunked strings each count one level; never more than
// 64), every declared length within the bytes that follow, text strings in strict UTF-8. Items are
// kept in one flat array in preorder, read in a loop with no recursion, so deep input cannot
// overflow the stack. Errors are CborError: reason `cbor`.
//
// Why not cbor-x's decoder: it recurses (a deep array ends in a RangeError "Maximum call stack
// size exceeded"), replaces invalid UTF-8 instead of refusing it, reads the float 1.0 as the
// integer 1, keeps the last of duplicate map keys without saying so, and turns tags 1, 2, 28, 258,
// 55799 and others into Dates, BigInts, shared references or Sets. A verifier must see exactly what
// cert/ sees, so reading is done here, and cbor-x writes the Sig_structure (cose.ts).

export class CborError extends Error {}

export const HARD_MAX_DEPTH = 64;

export const enum Kind {
  Uint,
  Negint,
  Bytes,
  Text,
  Array,
  Map,
  Tag,
  Float, // half, single or double precision
  Other, // simple values (false, true, null = 22, undefined = 23)
}

interface Node {
  kind: Kind;
  arg: number | bigint; // Uint: value; Negint: n where the value is -1 - n; Tag: the tag; Float: the value; Other: simple value or -1
  count: number; // Array: items; Map: pairs
  end: number; // index just past the last descendant
  bytes?: Uint8Array; // Bytes
  text?: string; // Text
  chunks?: Uint8Array[]; // chunked strings while open
}

interface Open {
  node: number;
  definite: boolean;
  remaining: number; // definite: items still expected (a map's pairs count twice)
  seen: number; // chunked: items so far
}

const INT64_MAX = (1n << 63n) - 1n;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new CborError('CBOR text string is not UTF-8');
  }
}

// IEEE 754 half precision (RFC 8949 appendix D), which DataView cannot read in Node 20.
function halfToNumber(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (mantissa + 1024) * 2 ** (exponent - 25);
}

export class CborTree {
  private constructor(readonly nodes: Node[]) {}

  root(): CborRef {
    return new CborRef(this, 0);
  }

  // Parses exactly one item from `data`. Throws CborError.
  static parse(data: Uint8Array, maxDepth: number): CborTree {
    const bad = (why: string) => new CborError(why);
    if (maxDepth > HARD_MAX_DEPTH) maxDepth = HARD_MAX_DEPTH;
    if (data.length === 0) throw bad('no CBOR data');
    const nodes: Node[] = [];
    const stack: Open[] = [];
    let pos = 0;
    const deep = () => bad(`CBOR nested deeper than ${maxDepth} levels`);

    for (;;) {
      if (pos >= data.length) throw bad('CBOR item is truncated');
      const start = pos;
      const ib = data[pos++];
      const major = ib >> 5;
      const ai = ib & 0x1f;
      let arg: number | bigint = ai;
      let indefinite = false;
      if (ai >= 24 && ai <= 27) {
        const n = 1 << (ai - 24);
        if (data.length - pos < n) throw bad('CBOR item is truncated');
        if (n === 8) {
          let v = 0n;
          for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(data[pos + i]);
          arg = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        } else {
          let v = 0;
          for (let i = 0; i < n; i++) v = v * 256 + data[pos + i];
          arg = v;
        }
        pos += n;
      } else if (ai >= 28 && ai <= 30) {
        throw bad(`malformed CBOR at byte ${start}`);
      } else if (ai === 31) {
        if (major === 0 || major === 1 || major === 6) throw bad(`malformed CBOR at byte ${start}`);
        indefinite = true;
      }
      if (major === 7 && ai === 24 && (arg as number) < 32) throw bad(`malformed CBOR at byte ${start}`);
      const left = data.length - pos;

      // Inside a chunked string only definite strings of the same kind, then a break, may follow.
      const top = stack.length ? stack[stack.length - 1] : null;
      if (top && nodes[top.node].chunks) {
        const s = nodes[top.node];
        const want = s.kind === Kind.Bytes ? 2 : 3;
        if (major === want && !indefinite) {
          if (typeof arg === 'bigint' || arg > left) throw bad('CBOR item is truncated');
          const chunk = data.subarray(pos, pos + arg);
          if (want === 3) decodeUtf8(chunk);
          s.chunks!.push(chunk);
          pos += arg;
          continue;
        }
        if (!(major === 7 && indefinite)) throw bad('malformed chunked CBOR string');
      }

      let complete = false;
      const push = (n: Omit<Node, 'end' | 'count'> & { count?: number }) => {
        nodes.push({ count: 0, ...n, end: nodes.length + 1 });
      };
      const open = (n: Omit<Node, 'end' | 'count'> & { count?: number }, definite: boolean, remaining: number) => {
        if (stack.length >= maxDepth) throw deep();
        push(n);
        stack.push({ node: nodes.length - 1, definite, remaining, seen: 0 });
      };

      switch (major) {
        case 0:
          push({ kind: Kind.Uint, arg });
          complete = true;
          break;
        case 1:
          push({ kind: Kind.Negint, arg });
          complete = true;
          break;
        case 2:
        case 3: {
          const kind = major === 2 ? Kind.Bytes : Kind.Text;
          if (indefinite) {
            open({ kind, arg: 0, chunks: [] }, false, 0);
            break;
          }
          if (typeof arg === 'bigint' || arg > left) throw bad('CBOR item is truncated');
          const b = data.subarray(pos, pos + arg);
          pos += arg;
          if (kind === Kind.Bytes) push({ kind, arg: 0, bytes: b });
          else push({ kind, arg: 0, text: decodeUtf8(b) });
          complete = true;
          break;
        }
        case 4:
          if (indefinite) {
            open({ kind: Kind.Array, arg: 0 }, false, 0);
          } else {
            // Each item takes at least one byte: a longer declared length cannot be real.
            if (typeof arg === 'bigint' || arg > left) throw bad('CBOR array longer than its data');
            if (arg === 0) {
              push({ kind: Kind.Array, arg: 0 });
              complete = true;
            } else open({ kind: Kind.Array, arg: 0, count: arg }, true, arg);
          }
          break;
        case 5:
          if (indefinite) {
            open({ kind: Kind.Map, arg: 0 }, false, 0);
          } else {
            if (typeof arg === 'bigint' || arg > Math.floor(left / 2)) throw bad('CBOR map longer than its data');
            if (arg === 0) {
              push({ kind: Kind.Map, arg: 0 });
              complete = true;
            } else open({ kind: Kind.Map, arg: 0, count: arg }, true, arg * 2);
          }
          break;
        case 6:
          open({ kind: Kind.Tag, arg, count: 1 }, true, 1);
          break;
        case 7:
          if (indefinite) {
            // A break closes the innermost chunked item.
            if (!top || top.definite) throw bad('CBOR break outside a chunked item');
            const n = nodes[top.node];
            if (n.kind === Kind.Map) {
              if (top.seen % 2 !== 0) throw bad('CBOR map with a key and no value');
              n.count = top.seen / 2;
            } else if (n.kind === Kind.Array) {
              n.count = top.seen;
            } else if (n.chunks) {
              const len = n.chunks.reduce((a, c) => a + c.length, 0);
              const joined = new Uint8Array(len);
              let o = 0;
              for (const c of n.chunks) {
                joined.set(c, o);
                o += c.length;
              }
              if (n.kind === Kind.Bytes) n.bytes = joined;
              else n.text = decodeUtf8(joined);
              delete n.chunks;
            }
            n.end = nodes.length;
            stack.pop();
            complete = true;
          } else if (ai >= 25 && ai <= 27) {
            // A float: its bytes, read again as an IEEE 754 number of 2, 4 or 8 bytes.
            const view = new DataView(data.buffer, data.byteOffset + start + 1, pos - start - 1);
            const value = ai === 25 ? halfToNumber(view.getUint16(0)) : ai === 26 ? view.getFloat32(0) : view.getFloat64(0);
            push({ kind: Kind.Float, arg: value });
            complete = true;
          } else {
            push({ kind: Kind.Other, arg: ai < 24 ? ai : ai === 24 ? (arg as number) : -1 });
            complete = true;
          }
          break;
      }

      // A completed item counts toward its container; a container whose last item arrived is
      // itself a completed item of the one around it.
      let done = false;
      while (complete) {
        if (!stack.length) {
          done = true;
          break;
        }
        const t = stack[stack.length - 1];
        if (!t.definite) {
          t.seen++;
          break;
        }
        if (--t.remaining > 0) break;
        nodes[t.node].end = nodes.length;
        stack.pop();
      }
      if (done) break;
    }
    if (pos !== data.length) throw bad(`unexpected ${data.length - pos} bytes after the CBOR item`);
    return new CborTree(nodes);
  }
}

// A handle on one item, or on nothing (an absent map key): then every accessor says "not that type".
export class CborRef {
  constructor(
    private readonly tree: CborTree | null,
    private readonly index: number,
  ) {}

  static readonly ABSENT = new CborRef(null, 0);

  private node(): Node | null {
    return this.tree ? this.tree.nodes[this.index] : null;
  }
  present(): boolean {
    return this.tree !== null;
  }
  isArray(): boolean {
    return this.node()?.kind === Kind.Array;
  }
  isMap(): boolean {
    return this.node()?.kind === Kind.Map;
  }
  isTag(): boolean {
    return this.node()?.kind === Kind.Tag;
  }
  isNull(): boolean {
    const n = this.node();
    return n?.kind === Kind.Other && n.arg === 22;
  }
  // An integer as a number (or a bigint beyond 2^53); null when not an integer or outside int64.
  int(): number | bigint | null {
    const n = this.node();
    if (!n || (n.kind !== Kind.Uint && n.kind !== Kind.Negint)) return null;
    const a = n.arg;
    if (typeof a === 'bigint') {
      if (a > INT64_MAX) return null;
      return n.kind === Kind.Uint ? a : -1n - a;
    }
    if (n.kind === Kind.Uint) return a;
    const v = -1 - a;
    return Number.isSafeInteger(v) ? v : -1n - BigInt(a);
  }
  // A float (half, single or double precision) as a number, NaN and infinities included; null when
  // not a float (an integer is not a float).
  float(): number | null {
    const n = this.node();
    return n?.kind === Kind.Float ? (n.arg as number) : null;
  }
  bytes(): Uint8Array | null {
    const n = this.node();
    return n?.kind === Kind.Bytes ? n.bytes! : null;
  }
  text(): string | null {
    const n = this.node();
    return n?.kind === Kind.Text ? n.text! : null;
  }
  size(): number {
    const n = this.node();
    return n && (n.kind === Kind.Array || n.kind === Kind.Map) ? n.count : 0;
  }
  // An array's items, or a map's keys and values alternating.
  items(): CborRef[] {
    const n = this.node();
    if (!n || (n.kind !== Kind.Array && n.kind !== Kind.Map)) return [];
    const out: CborRef[] = [];
    for (let i = this.index + 1; i < n.end; i = this.tree!.nodes[i].end) out.push(new CborRef(this.tree, i));
    return out;
  }
  // The value of integer key `key` in a map (the first one); absent when missing or not a map.
  get(key: number): CborRef {
    const items = this.isMap() ? this.items() : [];
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i].int();
      if (k !== null && k == key) return items[i + 1];
    }
    return CborRef.ABSENT;
  }
  // True when two keys of the map are the same integer or the same text.
  hasDuplicateKeys(): boolean {
    const seen = new Set<string>();
    const items = this.items();
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i].int();
      const id = k !== null ? `i${k}` : items[i].text() !== null ? `t${items[i].text()}` : null;
      if (id === null) continue;
      if (seen.has(id)) return true;
      seen.add(id);
    }
    return false;
  }
}
