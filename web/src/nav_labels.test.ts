// The tabs of the navigation are told apart by their words alone: in every language each tab has
// its own word (Check and Verify were the same word in kk, ky and uz, nearly so in ru and tg).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES } from './i18n';

// The first five letters, lower case: "Проверка" and "Проверить" are too alike to tell apart at a glance.
const stem = (s: string) => s.trim().toLocaleLowerCase().slice(0, 5);

describe('navigation tabs', () => {
  for (const { code } of LANGUAGES) {
    it(`${code}: every tab label is its own word`, () => {
      const nav = JSON.parse(readFileSync(join(__dirname, 'locales', code, 'common.json'), 'utf8')).nav as Record<string, string>;
      const entries = Object.entries(nav);
      expect(entries.length).toBe(9);
      for (let i = 0; i < entries.length; i++)
        for (let j = i + 1; j < entries.length; j++)
          expect(stem(entries[i][1]), `${code}: ${entries[i][0]} "${entries[i][1]}" vs ${entries[j][0]} "${entries[j][1]}"`).not.toBe(stem(entries[j][1]));
    });
  }
});
