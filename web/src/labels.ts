// Words for the codes the API and the certificates use (diseases, species, purposes, coverage,
// reasons), written once for every screen: the name in the user's language when the app has one,
// else the catalogue's own name or the code itself, never a raw translation key.
import i18next from 'i18next';
import { formatDate, t } from './i18n';

function tryT(key: string, fallback: string): string {
  return i18next.exists(key) ? t(key) : fallback;
}

// Certificates write diseases as the catalogue's codes (FMD-O); the spec's example as fmd_o.
export function diseaseName(code: string, fallback?: string): string {
  for (const k of [code, code.toUpperCase().replace(/_/g, '-')]) {
    if (i18next.exists('disease.' + k)) return t('disease.' + k);
  }
  return fallback || code;
}

// `fallback`: the catalogue's name, for a species an administrator added.
export function speciesName(code: string, fallback?: string): string {
  return tryT('species.' + code, fallback || code);
}

export function purposeName(code?: string): string {
  if (!code) return '';
  return tryT('purpose.' + code, code);
}

// A verification's reason code in words; the server's own message when the app has none.
export function reasonWords(code: string, message?: string): string {
  return tryT('verify:reason.' + code, message || code);
}

export function coverageWords(c: { status: string; covered_until?: string | null; overdue_since?: string | null }): string {
  if (c.status === 'covered') return c.covered_until ? t('coverage.covered_until', { date: formatDate(c.covered_until) }) : t('coverage.covered');
  if (c.status === 'overdue') return c.overdue_since ? t('coverage.overdue_since', { date: formatDate(c.overdue_since) }) : t('coverage.overdue');
  return t('coverage.never');
}
