// boot.js: the first thing the page runs, before the app's bundle arrives (index.html paints the
// app's frame with no JavaScript; over a slow link the bundle takes seconds). A small classic
// script, made at build time from the languages (src/languages.ts) and their strings
// (src/locales/<lang>/*.json): it sets the stored language and its direction on the page and puts
// the screen's title and "Loading…" in that language into the frame. It is a file of the origin,
// not inline, since the Content-Security-Policy allows scripts from 'self' only.
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { LANGUAGE_KEY, LANGUAGES } from './src/languages.ts';
import { SESSION_KEY } from './src/auth.ts';

const NAV_SCREENS = ['vaccinator', 'vet', 'inspector', 'dashboard'] as const;

function strings(lang: string, ns: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./src/locales/${lang}/${ns}.json`, import.meta.url), 'utf8'));
}

export interface BootStrings {
  dir: 'ltr' | 'rtl';
  app: string;
  loading: string;
  titles: Record<string, string>; // by path
}

export function bootStrings(): Record<string, BootStrings> {
  const out: Record<string, BootStrings> = {};
  for (const l of LANGUAGES) {
    const common = strings(l.code, 'common') as { app_name: string; loading: string; sign_in: string; nav: Record<string, string> };
    const verify = strings(l.code, 'verify') as { title: string };
    const titles: Record<string, string> = { '/signin': common.sign_in, '/verify': verify.title };
    for (const s of NAV_SCREENS) titles[`/${s}`] = common.nav[s];
    out[l.code] = { dir: l.dir, app: common.app_name, loading: common.loading, titles };
  }
  return out;
}

// What the first screen will load, by path ('/verify') and by language ('ug'): the build's file
// names. boot.js asks for them at once (preload), instead of the app asking for each in turn once
// its own bundle has run: on a link of 400 ms round trips that is a second or more.
export interface BootFiles {
  screens: Record<string, { js: string[]; css: string[] }>;
  languages: Record<string, string[]>;
}

// The script. ES5 and no module: it runs even where the app's bundle would not.
export function bootScript(files: BootFiles = { screens: {}, languages: {} }): string {
  return `// HerdPass: the frame's language and title before the app loads (made by web/boot.ts).
(function () {
  var S = ${JSON.stringify(bootStrings())};
  var F = ${JSON.stringify(files)};
  var lang = null, signedIn = false;
  try {
    lang = localStorage.getItem(${JSON.stringify(LANGUAGE_KEY)});
    signedIn = localStorage.getItem(${JSON.stringify(SESSION_KEY)}) !== null;
  } catch (e) {}
  if (!lang || !S.hasOwnProperty(lang)) lang = 'en';
  var s = S[lang], root = document.documentElement;
  root.lang = lang;
  root.dir = s.dir;
  var path = location.pathname;
  // Signed out, every screen but /verify opens the sign-in page; signed in, "/" opens the role's
  // home, which the app knows.
  var title = path === '/verify' || signedIn ? s.titles[path] : s.titles['/signin'];
  var set = function (name, text) {
    var el = document.querySelector('[data-boot="' + name + '"]');
    if (el) el.textContent = text;
  };
  set('app', s.app);
  set('loading', s.loading);
  set('title', title || '');
  var h = document.querySelector('[data-boot="title"]');
  if (h) h.hidden = !title;
  // The files of the screen about to open and of the language's strings, fetched now.
  var screen = path === '/verify' || signedIn ? path : '/signin';
  var preload = function (href, rel, as) {
    var l = document.createElement('link');
    l.rel = rel;
    if (as) l.as = as;
    l.href = href;
    document.head.appendChild(l);
  };
  var own = F.screens.hasOwnProperty(screen) ? F.screens[screen] : { js: [], css: [] };
  var langFiles = F.languages.hasOwnProperty(lang) ? F.languages[lang] : [];
  var i;
  for (i = 0; i < own.css.length; i++) preload('/' + own.css[i], 'preload', 'style');
  for (i = 0; i < own.js.length; i++) preload('/' + own.js[i], 'modulepreload');
  for (i = 0; i < langFiles.length; i++) preload('/' + langFiles[i], 'modulepreload');
})();
`;
}

// Emits boot.js into the build, and serves it in `vite` dev.
export function bootPlugin(): Plugin {
  return {
    name: 'herdpass-boot',
    configureServer(server) {
      server.middlewares.use('/boot.js', (_req, res) => {
        res.setHeader('Content-Type', 'text/javascript');
        res.end(bootScript());
      });
    },
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const entry = chunks.find((c) => c.isEntry);
      // A chunk and the chunks it imports statically, but not the entry (index.html loads it).
      const closure = (file: string, seen = new Set<string>()): Set<string> => {
        const c = chunks.find((x) => x.fileName === file);
        if (!c || seen.has(file) || file === entry?.fileName) return seen;
        seen.add(file);
        for (const dep of c.imports) closure(dep, seen);
        return seen;
      };
      const files: BootFiles = { screens: {}, languages: {} };
      for (const c of chunks) {
        const id = c.facadeModuleId ?? '';
        const screen = /\/src\/screens\/(\w+)\.ts$/.exec(id);
        if (screen && c.isDynamicEntry) {
          const js = [...closure(c.fileName)];
          const css = js.flatMap((f) => [...(chunks.find((x) => x.fileName === f)?.viteMetadata?.importedCss ?? [])]);
          files.screens[`/${screen[1]}`] = { js, css };
        }
        const locale = /\/src\/locales\/([\w-]+)\/\w+\.json$/.exec(id);
        if (locale) (files.languages[locale[1]] ??= []).push(c.fileName);
      }
      this.emitFile({ type: 'asset', fileName: 'boot.js', source: bootScript(files) });
    },
  };
}
