// What a failed call means to the user, as the key of a translated message (common.json `error.*`).
// The server's problem `type` (https://herdpass.org/problems/<name>) is the stable code; the
// English `title` and `detail` are for developers and logs and never shown: they would put English
// after the translated words, and in the middle of Arabic script in Uyghur. The HTTP status is the
// fallback when an answer has no type (a proxy's page, an old server).
import { ApiError, OfflineError, TimeoutError } from './api';

// Where the call was made, when that changes what a failure means: a 401 to the sign-in form is a
// wrong user name or password, not an expired session.
export type ErrorContext = 'login';

const BY_TYPE: Record<string, string> = {
  'invalid-argument': 'error.invalid',
  'malformed-request': 'error.invalid',
  'not-found': 'error.not_found',
  'already-exists': 'error.already_exists',
  'failed-precondition': 'error.conflict',
  unprocessable: 'error.unprocessable',
  'permission-denied': 'error.forbidden',
  unauthenticated: 'error.unauthorized',
  'resource-exhausted': 'error.too_many',
  'payload-too-large': 'error.too_large',
  'request-header-fields-too-large': 'error.too_large',
  unavailable: 'error.server',
  internal: 'error.server',
};

// A code with the field at fault, where together they say more than the code alone (tag life, W12:
// the animal's life ended already; the new ear tag is another animal's).
const BY_TYPE_AND_FIELD: Record<string, string> = {
  'failed-precondition kind': 'error.life_ended',
  'already-exists new_tag': 'error.tag_taken',
};

const BY_STATUS: Record<number, string> = {
  400: 'error.invalid',
  401: 'error.unauthorized',
  403: 'error.forbidden',
  404: 'error.not_found',
  409: 'error.conflict',
  413: 'error.too_large',
  422: 'error.unprocessable',
  429: 'error.too_many',
};

// The name at the end of a problem type ("unauthenticated"), or undefined.
export function problemCode(type: unknown): string | undefined {
  if (typeof type !== 'string' || !type) return undefined;
  const name = type.split('/').pop();
  return name || undefined;
}

// The message key for a problem's stable code (the end of its type: "already-exists") with its
// field, or for the code alone, else for its HTTP status; "error.unknown" when neither says anything.
export function codeKey(code: string | undefined, status?: number, field?: unknown): string {
  const byField = code && typeof field === 'string' ? BY_TYPE_AND_FIELD[`${code} ${field}`] : undefined;
  if (byField) return byField;
  const byType = code ? BY_TYPE[code] : undefined;
  if (byType) return byType;
  if (status === undefined) return 'error.unknown';
  return BY_STATUS[status] ?? (status >= 500 ? 'error.server' : 'error.unknown');
}

export function errorKey(e: unknown, context?: ErrorContext): string {
  if (e instanceof TimeoutError) return 'error.timeout';
  if (e instanceof OfflineError) return 'error.offline';
  if (!(e instanceof ApiError)) return 'error.unknown';
  const code = problemCode(e.problem.type);
  if (context === 'login' && (code === 'unauthenticated' || (!code && e.status === 401))) return 'error.wrong_login';
  return codeKey(code, e.status, e.problem.field);
}

// `text`, then the name of the field at fault in parentheses, isolated left to right so that it
// does not mix with Uyghur text around it.
function withField(text: string, field: unknown): string {
  return typeof field === 'string' && field ? `${text} \u2066(${field})\u2069` : text;
}

// The message for `e` in the user's language (`translate` is i18n's t), with the field at fault
// when the problem names one; nothing else of the server's answer is shown.
export function errorMessage(e: unknown, translate: (key: string) => string, context?: ErrorContext): string {
  return withField(translate(errorKey(e, context)), e instanceof ApiError ? e.problem.field : undefined);
}

// A record the server refused, as the outbox keeps it (sync.ts problemError: the code and field of
// the problem; its English detail is kept for developers only), in the user's language.
export function recordErrorMessage(err: { code?: string; field?: string }, translate: (key: string) => string): string {
  return withField(translate(codeKey(err.code, undefined, err.field)), err.field);
}
