// Every language has exactly the keys English has, in every namespace, and no empty string; a
// {{placeholder}} in English appears in every translation.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES, NAMESPACES } from './i18n';

const dir = join(__dirname, 'locales');

function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const [a, b] of flatten(v as Record<string, unknown>, key)) out.set(a, b);
    else out.set(key, String(v));
  }
  return out;
}

function load(lang: string, ns: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(dir, lang, `${ns}.json`), 'utf8')));
}

describe('translations', () => {
  it('has a folder for exactly the nine languages', () => {
    expect(readdirSync(dir).sort()).toEqual(LANGUAGES.map((l) => l.code).sort());
  });
  for (const ns of NAMESPACES) {
    const en = load('en', ns);
    for (const { code } of LANGUAGES) {
      it(`${code}/${ns} has every key, each non-empty, with the same placeholders`, () => {
        const other = load(code, ns);
        expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
        for (const [key, text] of other) {
          expect(text.trim(), `${code} ${ns}:${key}`).not.toBe('');
          const want = (en.get(key)!.match(/\{\{\w+\}\}/g) ?? []).sort();
          const got = (text.match(/\{\{\w+\}\}/g) ?? []).sort();
          expect(got, `${code} ${ns}:${key}`).toEqual(want);
        }
      });
    }
  }
  it('Uyghur is the one right-to-left language', () => {
    expect(LANGUAGES.filter((l) => l.dir === 'rtl').map((l) => l.code)).toEqual(['ug']);
  });
});
