// How old something kept on the phone is, in the page's words (the field copy, the due list).

import { formatNumber, t } from './i18n';

// A value set inside a sentence of either direction (a size, a count, a code), kept whole: in a
// Uyghur sentence "960 KB" would otherwise show as "KB 960".
export const isolate = (s: string) => `\u2068${s}\u2069`;

// "just now", "3 h ago", in the page's words (the browser's own relative times have no Uyghur or
// Kazakh).
export function ageWords(iso: string, now: Date): string {
  const minutes = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return t('fieldcopy.age_now');
  if (minutes < 60) return t('fieldcopy.age_minutes', { n: isolate(formatNumber(Math.floor(minutes))) });
  if (minutes < 1440) return t('fieldcopy.age_hours', { n: isolate(formatNumber(Math.floor(minutes / 60))) });
  return t('fieldcopy.age_days', { n: isolate(formatNumber(Math.floor(minutes / 1440))) });
}
