// The dashboard's bar charts name diseases and species in the user's language, in every locale:
// a long name is wrapped onto several lines, never replaced by the catalogue's Latin code.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axisLabel } from './dashboard_state';

const LOCALES = join(__dirname, '..', 'locales');

describe('dashboard: chart labels', () => {
  const langs = readdirSync(LOCALES).sort();
  it('has the nine locales', () => {
    expect(langs).toEqual(['en', 'fr', 'kk', 'ky', 'ru', 'tg', 'ug', 'uz', 'zh-Hans']);
  });

  for (const lang of langs) {
    it(`${lang}: every disease and species label is the locale's name, in lines of at most 22 characters`, () => {
      const common = JSON.parse(readFileSync(join(LOCALES, lang, 'common.json'), 'utf8')) as Record<string, Record<string, string>>;
      const names = [...Object.entries(common.disease), ...Object.entries(common.species)];
      expect(names.length).toBe(13 + 8);
      for (const [code, name] of names) {
        const lines = axisLabel(name);
        expect(lines.join(' '), `${lang} ${code}`).toBe(name.replace(/\s+/g, ' ').trim());
        for (const line of lines) {
          // A line is short enough, or a single word that cannot be broken.
          expect(line.length <= 22 || !/\s/.test(line), `${lang} ${code}: "${line}"`).toBe(true);
        }
      }
    });
  }

  it('wraps at spaces, keeps a word longer than a line whole, and leaves a short name alone', () => {
    expect(axisLabel('Sheep')).toEqual(['Sheep']);
    expect(axisLabel('Contagious caprine pleuropneumonia')).toEqual(['Contagious caprine', 'pleuropneumonia']);
    expect(axisLabel('Pleuropneumoniacontagiosacaprina x')).toEqual(['Pleuropneumoniacontagiosacaprina', 'x']);
  });
});
