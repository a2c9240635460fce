// The movement rules that ship with HerdPass are written twice: domain/certificate.cpp
// (DefaultMovementRules, what the server checks when a certificate is issued) and
// web/src/movement_rules.ts (MOVEMENT_RULES, what the inspector's phone check shows as asked for,
// since the server does not send its rules to the app). This test reads both from their source
// text and requires the same rules in the same order, naming the first that differs. Plain node,
// no build: run it with `node --test` or `ctest -R movement_rules`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path) => readFileSync(join(root, path), 'utf8');

// The text strictly between `open` and the first `close` after it, with every blank removed (no
// string of either list holds one). Every character of it must be read by `entry` (or be a comma
// between entries): a rule written another way fails here rather than go unread.
function entries(path, open, close, entry) {
  const text = read(path);
  const start = text.indexOf(open);
  assert.notEqual(start, -1, `${path}: no "${open}"`);
  const end = text.indexOf(close, start + open.length);
  assert.notEqual(end, -1, `${path}: no "${close}" after "${open}"`);
  const body = text.slice(start + open.length, end).replace(/\s+/g, '');
  const out = [];
  let rest = body;
  for (const m of body.matchAll(entry)) {
    out.push(m);
    rest = rest.replace(m[0], '');
  }
  assert.equal(rest.replace(/,/g, ''), '', `${path}: cannot read a rule from what is left: ${rest}`);
  assert.ok(out.length > 0, `${path}: no rules`);
  return out;
}

const list = (s) => (s ? s.split(',').filter(Boolean).map((x) => x.replace(/^["']|["']$/g, '')) : []);
// kAcrossProvinces -> across_provinces
const snake = (k) => k.replace(/^k/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

function cppRules() {
  return entries(
    'domain/certificate.cpp',
    'new std::vector<MovementRule>{',
    '};',
    /\{"([a-z0-9-]+)",Purpose::(k\w+),(std::nullopt|MovementScope::k\w+),\{([^{}]*)\},\{([^{}]*)\},(\d+)\}/g,
  ).map(([, name, purpose, scope, species, diseases, age]) => ({
    name,
    purpose: snake(purpose),
    scope: scope === 'std::nullopt' ? '' : snake(scope.replace('MovementScope::', '')),
    species: list(species),
    diseases: list(diseases),
    max_age_days: Number(age),
  }));
}

function webRules() {
  return entries(
    'web/src/movement_rules.ts',
    'export const MOVEMENT_RULES: readonly MovementRule[] = [',
    '];',
    /\{name:'([a-z0-9-]+)',purpose:'([a-z_]+)',scope:'([a-z_]*)',species:\[([^\]]*)\],diseases:\[([^\]]*)\],max_age_days:(\d+),?\}/g,
  ).map(([, name, purpose, scope, species, diseases, age]) => ({
    name,
    purpose,
    scope,
    species: list(species),
    diseases: list(diseases),
    max_age_days: Number(age),
  }));
}

test('domain/certificate.cpp and web/src/movement_rules.ts ship the same movement rules', () => {
  const cpp = cppRules();
  const web = webRules();
  for (let i = 0; i < Math.max(cpp.length, web.length); i++) {
    assert.deepEqual(web[i], cpp[i], `rule ${i + 1}: web/src/movement_rules.ts against domain/certificate.cpp`);
  }
});
