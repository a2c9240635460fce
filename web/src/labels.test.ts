// The words for codes every screen uses (labels.ts): the app's name when it has one, in either
// spelling of a disease code, else the catalogue's name or the code; never a translation key.
import { beforeAll, describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageWords, diseaseName, purposeName, reasonWords, speciesName } from './labels';

const read = (ns: string) => JSON.parse(readFileSync(join(__dirname, 'locales', 'en', `${ns}.json`), 'utf8'));
const common = read('common');
const verify = read('verify');

beforeAll(async () => {
  await i18next.init({ lng: 'en', fallbackLng: false, ns: ['common', 'verify'], defaultNS: 'common', resources: { en: { common, verify } } });
});

describe('labels', () => {
  it('names a disease by its catalogue code and by the spec spelling of it', () => {
    expect(diseaseName('FMD-O')).toBe(common.disease['FMD-O']);
    expect(diseaseName('fmd_o')).toBe(common.disease['FMD-O']);
  });

  it('falls back to the catalogue name, then the code, for what the app has no name for', () => {
    expect(diseaseName('NEW-1', 'New disease')).toBe('New disease');
    expect(diseaseName('NEW-1')).toBe('NEW-1');
    expect(speciesName('okapi', 'Okapi')).toBe('Okapi');
    expect(speciesName('okapi')).toBe('okapi');
    expect(speciesName('sheep', 'ignored')).toBe(common.species.sheep);
  });

  it('names a purpose, and nothing for none', () => {
    expect(purposeName('slaughter')).toBe(common.purpose.slaughter);
    expect(purposeName(undefined)).toBe('');
    expect(purposeName('circus')).toBe('circus');
  });

  it("says a reason in the app's words, else the server's message, else the code", () => {
    const code = Object.keys(verify.reason)[0];
    expect(reasonWords(code, 'server text')).toBe(verify.reason[code]);
    expect(reasonWords('no_such_reason', 'server text')).toBe('server text');
    expect(reasonWords('no_such_reason')).toBe('no_such_reason');
  });

  it('says coverage without a date when the server gives none', () => {
    expect(coverageWords({ status: 'covered', covered_until: null })).toBe(common.coverage.covered);
    expect(coverageWords({ status: 'overdue' })).toBe(common.coverage.overdue);
    expect(coverageWords({ status: 'never' })).toBe(common.coverage.never);
  });
});
