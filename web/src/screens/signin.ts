// First screen: the language (chosen once, remembered on the device), then username and password.
import { api } from '../api';
import { saveSession, screensFor, type Session } from '../auth';
import { askPersistentStorage } from '../db';
import { LANGUAGES, chosenLanguage, language, setLanguage, t } from '../i18n';
import { errorBox, html, nothing, render, type Mount } from '../ui';

export const mount: Mount = (root, ctx) => {
  let pickLanguage = chosenLanguage() === null;
  let busy = false;
  let error: unknown = null;

  const choose = async (code: string) => {
    await setLanguage(code);
    pickLanguage = false;
    window.dispatchEvent(new CustomEvent('hp:language'));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    busy = true;
    error = null;
    draw();
    try {
      const s = await api<Session>('POST', '/auth/login', {
        username: String(data.get('username') ?? '').trim(),
        password: String(data.get('password') ?? ''),
      });
      saveSession(s);
      void askPersistentStorage();
      // Fetch the signed trust and revocation lists now, while there is a network, so certificates
      // can be checked offline later in the day.
      void import('../trust').then((m) => m.refreshLists()).catch(() => {});
      ctx.navigate(screensFor(s.user.role)[0]);
    } catch (err) {
      error = err;
      busy = false;
      draw();
    }
  };

  const draw = () =>
    render(
      pickLanguage
        ? html`<section class="card">
            <h1>${t('choose_language')}</h1>
            <div class="lang-grid">
              ${LANGUAGES.map(
                (l) =>
                  html`<button class="btn btn-lang" lang=${l.code} dir=${l.dir} data-testid=${'lang-' + l.code} @click=${() => choose(l.code)}>
                    ${l.name}
                  </button>`,
              )}
            </div>
          </section>`
        : html`<section class="card narrow">
            <h1>${t('sign_in')}</h1>
            <form @submit=${submit} data-testid="signin-form">
              <label class="field">${t('username')}
                <input name="username" autocomplete="username" autocapitalize="none" required data-testid="username" />
              </label>
              <label class="field">${t('password')}
                <input name="password" type="password" autocomplete="current-password" required data-testid="password" />
              </label>
              ${error ? errorBox(error, undefined, 'error', 'login') : nothing}
              <button class="btn btn-primary btn-block" ?disabled=${busy} data-testid="signin-submit">
                ${busy ? t('signing_in') : t('sign_in')}
              </button>
            </form>
            <p class="muted">
              ${t('language')}: ${language().name} ·
              <a href="#" class="tap-link" data-testid="change-language" @click=${(e: Event) => { e.preventDefault(); pickLanguage = true; draw(); }}>${t('change')}</a>
            </p>
            <p><a href="/verify" class="tap-link" data-testid="verify-link" @click=${(e: Event) => { e.preventDefault(); ctx.navigate('/verify'); }}>${t('public_verify_link')}</a></p>
          </section>`,
      root,
    );
  draw();
  return () => render(nothing, root);
};
