// The verification reason codes (docs/hp1-format.md section 7: "reason codes are stable") are
// written in four places that no compiler ties together: cert/hp1.h (namespace reason, what the
// server and the CLI return), web/src/hp1/verify.ts (REASON_CODES, what the app's offline verifier
// returns), the OpenAPI document (VerifyResult's reasons[].code, what a client is told to expect)
// and the tables of docs/hp1-format.md section 7 (what each code means). This test reads each from
// its source text and requires the four sets equal, naming the codes one side lacks. Plain node, no build: run it with `node --test` or `ctest -R reason_codes`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path) => readFileSync(join(root, path), 'utf8');

// The lines strictly between the first line equal to `open` and the next equal to `close`, without
// blank lines and whole-line comments. Every one must match `item`: a declaration written another
// way fails here rather than go unread.
function listBetween(path, open, close, item) {
  const lines = read(path).split('\n').map((l) => l.trim());
  const start = lines.indexOf(open);
  assert.notEqual(start, -1, `${path}: no line "${open}"`);
  const end = lines.indexOf(close, start + 1);
  assert.notEqual(end, -1, `${path}: no line "${close}" after "${open}"`);
  const codes = [];
  for (const line of lines.slice(start + 1, end)) {
    if (line === '' || line.startsWith('//')) continue;
    const m = item.exec(line);
    assert.ok(m, `${path}: cannot read a reason code from "${line}"`);
    codes.push(m[1]);
  }
  assert.ok(codes.length > 0, `${path}: no reason codes between "${open}" and "${close}"`);
  return codes;
}

function certCodes() {
  return listBetween(
    'cert/hp1.h',
    'namespace reason {',
    '}  // namespace reason',
    /^inline constexpr std::string_view k\w+ = "([a-z0-9_]+)";/,
  );
}

function webCodes() {
  return listBetween('web/src/hp1/verify.ts', 'export const REASON_CODES = [', '] as const;', /^'([a-z0-9_]+)',$/);
}

function openApiCodes() {
  const doc = JSON.parse(read('http/routes/openapi.json'));
  const code = doc?.components?.schemas?.VerifyResult?.properties?.reasons?.items?.properties?.code;
  assert.equal(typeof code?.description, 'string', 'openapi.json: VerifyResult.reasons[].code has no description');
  const codes = code.description.split(', ');
  for (const c of codes) assert.match(c, /^[a-z0-9_]+$/, `openapi.json: VerifyResult.reasons[].code's description is not a list "a, b, c"`);
  return codes;
}

// The codes of docs/hp1-format.md section 7: the second column ("reason code ...") of every table
// in the section, each code in backticks. A step may name two codes and two steps the same code, so
// these are a set. Every row must name at least one code, and every table of the section must have
// the reason-code column: a table written another way fails here rather than go unread.
function docsCodes() {
  const path = 'docs/hp1-format.md';
  const lines = read(path).split('\n').map((l) => l.trim());
  const start = lines.indexOf('## 7. Verification');
  assert.notEqual(start, -1, `${path}: no line "## 7. Verification"`);
  const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  const section = lines.slice(start + 1, next === -1 ? undefined : next);
  const codes = new Set();
  let tables = 0;
  for (let i = 0; i < section.length; i++) {
    if (!section[i].startsWith('|') || (i > 0 && section[i - 1].startsWith('|'))) continue;
    // A table: header, separator, rows.
    const cells = (line) => line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
    assert.match(cells(section[i])[1] ?? '', /^reason code/, `${path}: a table in section 7 without a "reason code" column: "${section[i]}"`);
    assert.match(section[i + 1] ?? '', /^\|(\s*:?-+:?\s*\|)+$/, `${path}: no separator line under "${section[i]}"`);
    tables++;
    for (let j = i + 2; j < section.length && section[j].startsWith('|'); j++) {
      const row = cells(section[j]);
      assert.equal(row.length, 2, `${path}: not two columns: "${section[j]}"`);
      const named = [...row[1].matchAll(/`([^`]*)`/g)].map((m) => m[1]);
      assert.ok(named.length > 0, `${path}: no reason code in "${section[j]}"`);
      for (const c of named) {
        assert.match(c, /^[a-z0-9_]+$/, `${path}: "${c}" in "${section[j]}" is not a reason code`);
        codes.add(c);
      }
    }
  }
  assert.ok(tables > 0, `${path}: no table of reason codes in section 7`);
  return [...codes];
}

// Every code once, and each side's codes that the other lacks.
function assertSame(aName, a, bName, b) {
  for (const [name, codes] of [[aName, a], [bName, b]]) {
    const dup = codes.filter((c, i) => codes.indexOf(c) !== i);
    assert.deepEqual(dup, [], `${name} lists a code twice`);
  }
  const onlyA = a.filter((c) => !b.includes(c));
  const onlyB = b.filter((c) => !a.includes(c));
  assert.deepEqual(
    { [`only in ${aName}`]: onlyA, [`only in ${bName}`]: onlyB },
    { [`only in ${aName}`]: [], [`only in ${bName}`]: [] },
  );
}

test('cert/hp1.h and web/src/hp1/verify.ts list the same reason codes', () => {
  assertSame('cert/hp1.h', certCodes(), 'web/src/hp1/verify.ts', webCodes());
});

test('cert/hp1.h and the OpenAPI document list the same reason codes', () => {
  assertSame('cert/hp1.h', certCodes(), 'openapi.json', openApiCodes());
});

test("cert/hp1.h and docs/hp1-format.md's tables list the same reason codes", () => {
  assertSame('cert/hp1.h', certCodes(), 'docs/hp1-format.md', docsCodes());
});
