// Languages of the app. Strings live in locales/<lang>/<namespace>.json, one namespace per screen;
// every language has every key (src/i18n.test.ts fails otherwise). A language's files are loaded
// when it is chosen, so the first screen carries one language only; the service worker precaches
// them all for offline use.
import i18next from 'i18next';
import { LANGUAGE_KEY, LANGUAGES, type Language } from './languages';

export { LANGUAGES, type Language };

export const NAMESPACES = ['common', 'vaccinator', 'inspector', 'vet', 'verify', 'dashboard', 'timeline', 'outbreak', 'due', 'map', 'sms', 'me'] as const;
export type Namespace = (typeof NAMESPACES)[number];

const STORAGE_KEY = LANGUAGE_KEY;
const loaders = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json');

export function language(): Language {
  return LANGUAGES.find((l) => l.code === i18next.language) ?? LANGUAGES[7];
}

export function chosenLanguage(): string | null {
  return localStorage.getItem(STORAGE_KEY);
}

// The language remembered on this device, else the browser's, else English.
export function initialLanguage(): string {
  const saved = chosenLanguage();
  if (saved && LANGUAGES.some((l) => l.code === saved)) return saved;
  for (const wanted of navigator.languages ?? []) {
    const w = wanted.toLowerCase();
    const hit = LANGUAGES.find(
      (l) => l.code.toLowerCase() === w || w.startsWith(l.code.toLowerCase().split('-')[0] + '-'),
    );
    if (hit) return hit.code;
    if (w === 'zh' || w.startsWith('zh-')) return 'zh-Hans';
  }
  return 'en';
}

async function loadBundles(code: string): Promise<void> {
  await Promise.all(
    NAMESPACES.map(async (ns) => {
      if (i18next.hasResourceBundle(code, ns)) return;
      const load = loaders[`./locales/${code}/${ns}.json`];
      if (!load) throw new Error(`no ${ns} strings for ${code}`);
      i18next.addResourceBundle(code, ns, (await load()).default, true, true);
    }),
  );
}

export async function initI18n(code = initialLanguage()): Promise<void> {
  await i18next.init({
    lng: code,
    // No fallback language: a missing string shows as its key ("vet:title"), which the
    // end-to-end test looks for on every screen in every language.
    fallbackLng: false,
    ns: [...NAMESPACES],
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // lit-html escapes what it renders
    resources: {},
    // Missing strings are collected for the end-to-end test, which fails on any.
    saveMissing: true,
    missingKeyHandler: (_lngs, ns, key) => {
      const w = window as unknown as { __hpMissing?: string[] };
      (w.__hpMissing ??= []).push(`${i18next.language} ${ns}:${key}`);
    },
  });
  await setLanguage(code, false);
}

export async function setLanguage(code: string, remember = true): Promise<void> {
  await loadBundles(code);
  await i18next.changeLanguage(code);
  const lang = language();
  document.documentElement.lang = lang.code;
  document.documentElement.dir = lang.dir;
  if (remember) localStorage.setItem(STORAGE_KEY, code);
}

export function t(key: string, options?: Record<string, unknown>): string {
  return (options ? i18next.t(key, options as never) : i18next.t(key)) as string;
}

// Whether the browser's Intl has month names for a locale. Chromium has no Uyghur, Kyrgyz or Tajik,
// and knows Kazakh and Uzbek without month names ("2026 M11"); for those the names and the order of
// day, month and year come from common.json (month.N, date_label, month_label).
const intlKnowsMonths = new Map<string, boolean>();
function knowsMonths(intl: string): boolean {
  let known = intlKnowsMonths.get(intl);
  if (known === undefined) {
    const sample = new Intl.DateTimeFormat(intl, { month: 'short', year: 'numeric', timeZone: 'UTC' });
    known = Intl.DateTimeFormat.supportedLocalesOf(intl).length > 0 && !/\bM\d/.test(sample.format(new Date(Date.UTC(2026, 10, 15))));
    intlKnowsMonths.set(intl, known);
  }
  return known;
}

// Dates from the API are "YYYY-MM-DD" (a calendar day) or RFC 3339 instants.
function toDate(value: string | Date): Date {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + 'T12:00:00') : new Date(value);
}

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const { intl } = language();
  if (knowsMonths(intl)) return new Intl.DateTimeFormat(intl, { year: 'numeric', month: 'short', day: 'numeric' }).format(d);
  return t('date_label', { day: String(d.getDate()), month: t(`month.${d.getMonth() + 1}`), year: String(d.getFullYear()) });
}

export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const { intl } = language();
  if (knowsMonths(intl)) return new Intl.DateTimeFormat(intl, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  const time = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return `${formatDate(d)} ${time}`;
}

// "Nov 2026" for a "YYYY-MM" month.
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const year = Number(m[1]);
  const index = Number(m[2]);
  const { intl } = language();
  if (knowsMonths(intl)) {
    return new Intl.DateTimeFormat(intl, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, index - 1, 15)));
  }
  return t('month_label', { month: t(`month.${index}`), year: String(year) });
}

export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language().intl, options).format(n);
}

export function formatPercent(fraction: number): string {
  return formatNumber(fraction, { style: 'percent', maximumFractionDigits: 1 });
}
