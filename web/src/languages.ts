// The languages of the app, on their own (no i18next) so that the build can read them too: the
// page's first paint (boot.js, made in vite.config.ts) sets the stored language and direction.
export interface Language {
  code: string;
  name: string; // in its own script
  dir: 'ltr' | 'rtl';
  intl: string; // locale for Intl date and number formats
}

export const LANGUAGES: Language[] = [
  { code: 'zh-Hans', name: '中文', dir: 'ltr', intl: 'zh-Hans-CN' },
  { code: 'ug', name: 'ئۇيغۇرچە', dir: 'rtl', intl: 'ug-CN' },
  { code: 'kk', name: 'Қазақша', dir: 'ltr', intl: 'kk-KZ' },
  { code: 'ky', name: 'Кыргызча', dir: 'ltr', intl: 'ky-KG' },
  { code: 'uz', name: 'Oʻzbekcha', dir: 'ltr', intl: 'uz-Latn-UZ' },
  { code: 'tg', name: 'Тоҷикӣ', dir: 'ltr', intl: 'tg-TJ' },
  { code: 'ru', name: 'Русский', dir: 'ltr', intl: 'ru-RU' },
  { code: 'en', name: 'English', dir: 'ltr', intl: 'en-GB' },
  { code: 'fr', name: 'Français', dir: 'ltr', intl: 'fr-FR' },
];

// Where the chosen language is remembered on this device (localStorage).
export const LANGUAGE_KEY = 'hp.lang';
