// Failed calls become translated messages by the problem's stable type; a wrong password on the
// sign-in form has its own message.
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError, TimeoutError } from './api';
import { errorKey, errorMessage, problemCode, recordErrorMessage } from './errors';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES } from './i18n';

const BASE = 'https://herdpass.org/problems/';
const problem = (status: number, name?: string, extra: Record<string, unknown> = {}) =>
  new ApiError(status, { ...(name ? { type: BASE + name } : {}), title: 'English title', status, detail: 'English detail', ...extra });

describe('errorKey', () => {
  it('maps each problem type the server sends to its message', () => {
    const cases: [number, string, string][] = [
      [400, 'invalid-argument', 'error.invalid'],
      [400, 'malformed-request', 'error.invalid'],
      [404, 'not-found', 'error.not_found'],
      [409, 'already-exists', 'error.already_exists'],
      [409, 'failed-precondition', 'error.conflict'],
      [422, 'unprocessable', 'error.unprocessable'],
      [403, 'permission-denied', 'error.forbidden'],
      [401, 'unauthenticated', 'error.unauthorized'],
      [429, 'resource-exhausted', 'error.too_many'],
      [413, 'payload-too-large', 'error.too_large'],
      [503, 'unavailable', 'error.server'],
      [500, 'internal', 'error.server'],
    ];
    for (const [status, name, key] of cases) expect(errorKey(problem(status, name)), name).toBe(key);
  });
  it('goes by the type, not the status, when both are there', () => {
    expect(errorKey(problem(409, 'already-exists'))).toBe('error.already_exists');
    expect(errorKey(problem(409, 'failed-precondition'))).toBe('error.conflict');
  });
  it('falls back to the status for an answer with no type or an unknown one', () => {
    expect(errorKey(problem(403))).toBe('error.forbidden');
    expect(errorKey(problem(502))).toBe('error.server');
    expect(errorKey(problem(418, 'teapot'))).toBe('error.unknown');
  });
  it('a 401 to the sign-in form is a wrong user name or password', () => {
    expect(errorKey(problem(401, 'unauthenticated'), 'login')).toBe('error.wrong_login');
    expect(errorKey(problem(401), 'login')).toBe('error.wrong_login');
    // Elsewhere it is an expired session; on the form, other failures keep their meaning.
    expect(errorKey(problem(401, 'unauthenticated'))).toBe('error.unauthorized');
    expect(errorKey(problem(429, 'resource-exhausted'), 'login')).toBe('error.too_many');
  });
  it('no network and no answer in time', () => {
    expect(errorKey(new TimeoutError(15000))).toBe('error.timeout');
    expect(errorKey(new OfflineError())).toBe('error.offline');
    expect(errorKey(new Error('boom'))).toBe('error.unknown');
  });
  it('reads the code at the end of a type', () => {
    expect(problemCode(BASE + 'unauthenticated')).toBe('unauthenticated');
    expect(problemCode(undefined)).toBeUndefined();
    expect(problemCode('')).toBeUndefined();
  });
  it('every message it can give exists in every language', () => {
    const keys = new Set<string>();
    for (const s of [400, 401, 403, 404, 409, 413, 422, 429, 500, 418])
      for (const n of [undefined, 'invalid-argument', 'malformed-request', 'not-found', 'already-exists', 'failed-precondition', 'unprocessable', 'permission-denied', 'unauthenticated', 'resource-exhausted', 'payload-too-large', 'request-header-fields-too-large', 'unavailable', 'internal'])
        for (const c of [undefined, 'login' as const]) keys.add(errorKey(problem(s, n), c));
    keys.add(errorKey(new TimeoutError(1)));
    keys.add(errorKey(new OfflineError()));
    for (const { code } of LANGUAGES) {
      const common = JSON.parse(readFileSync(join(__dirname, 'locales', code, 'common.json'), 'utf8'));
      for (const key of keys) {
        const [ns, name] = key.split('.');
        expect(typeof common[ns]?.[name], `${code} ${key}`).toBe('string');
      }
    }
  });
  it('the message is the translation and the field, never the English title or detail', () => {
    const translate = (key: string) => `<${key}>`;
    expect(errorMessage(problem(401, 'unauthenticated'), translate, 'login')).toBe('<error.wrong_login>');
    expect(errorMessage(problem(400, 'invalid-argument', { field: 'from' }), translate)).toBe('<error.invalid> \u2066(from)\u2069');
    expect(errorMessage(problem(422, 'unprocessable', { info: 'more English' }), translate)).toBe('<error.unprocessable>');
    expect(errorMessage(new TimeoutError(1), translate)).toBe('<error.timeout>');
  });
});

describe('recordErrorMessage', () => {
  it("words a refused record by its code and field, never the server's detail", () => {
    const tr = (k: string) => `<${k}>`;
    expect(recordErrorMessage({ code: 'failed-precondition', field: 'animal_tags' }, tr)).toBe('<error.conflict> \u2066(animal_tags)\u2069');
    expect(recordErrorMessage({ code: 'invalid-argument' }, tr)).toBe('<error.invalid>');
    expect(recordErrorMessage({}, tr)).toBe('<error.unknown>');
  });

  it("says what a refused tag-life event means: the animal's life ended, the new tag is another animal's", () => {
    const tr = (k: string) => `<${k}>`;
    expect(recordErrorMessage({ code: 'failed-precondition', field: 'kind', message: 'English' }, tr)).toBe('<error.life_ended> \u2066(kind)\u2069');
    expect(recordErrorMessage({ code: 'already-exists', field: 'new_tag' }, tr)).toBe('<error.tag_taken> \u2066(new_tag)\u2069');
    // The same codes with other fields keep their general message.
    expect(recordErrorMessage({ code: 'already-exists', field: 'id' }, tr)).toBe('<error.already_exists> \u2066(id)\u2069');
    expect(recordErrorMessage({ code: 'failed-precondition', field: 'head' }, tr)).toBe('<error.conflict> \u2066(head)\u2069');
    expect(errorKey(problem(409, 'already-exists', { field: 'new_tag' }))).toBe('error.tag_taken');
  });
});
