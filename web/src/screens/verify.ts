// W4, public: verify a certificate without signing in. Three ways in (camera, a photo of the QR
// code, the pasted text); checked in the browser against the trust list and revocation list saved
// on this phone (src/trust.ts), so it works with no network once the app and the lists were loaded
// once. Online, the server is asked as well (POST /verify), which alone knows whether the
// certificate was already used (consumed) and has the newest lists.
import './verify.css';
import { api } from '../api';
import type { VerifyResult } from '../hp1/index';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { diseaseName, purposeName, reasonWords, speciesName } from '../labels';
import { decodeImageFile } from '../photo';
import { scanCode } from '../scan';
import { cachedLists, refreshLists, type CachedLists, type RefreshOutcome } from '../trust';
import { html, nothing, render, type Mount } from '../ui';

type Claims = NonNullable<VerifyResult['certificate']>;

interface ServerAnswer {
  valid: boolean;
  status: string;
  reasons: { code: string; message: string }[];
  consumed_at?: string;
  consumed_place?: string;
  warnings?: { code: string; message: string }[]; // W14: origin_in_zone
}

interface Checked {
  local: VerifyResult;
  server: ServerAnswer | null; // null: not asked (offline) or no answer
  ms: number | null; // the local verification's time (performance.measure)
}

const STALE_MS = 24 * 3600 * 1000;

function statusWords(status: string): string {
  return status === 'not_yet_valid' ? t('verify:status.not_yet_valid') : t(`cert_status.${status}`);
}

// "3 min ago" in the page's language, from this app's own strings: Intl.RelativeTimeFormat has no
// Uyghur, Kyrgyz or Tajik data in some browsers and would fall back to English.
function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return t('verify:ago.just_now');
  if (s < 3600) return t('verify:ago.minutes', { count: formatNumber(Math.floor(s / 60)) });
  if (s < 86400) return t('verify:ago.hours', { count: formatNumber(Math.floor(s / 3600)) });
  return t('verify:ago.days', { count: formatNumber(Math.floor(s / 86400)) });
}

// A certificate lists a dose per animal: the same disease on the same day once, with how many.
function groupVaccinations(list: Claims['vaccinations']): [Claims['vaccinations'][number], number][] {
  const groups = new Map<string, [Claims['vaccinations'][number], number]>();
  for (const v of list) {
    const key = `${v.disease}\n${v.administered_on}`;
    const g = groups.get(key);
    if (g) g[1]++;
    else groups.set(key, [v, 1]);
  }
  return [...groups.values()];
}

// The text of a code as read or pasted: line breaks and tabs at its ends are not part of it
// (spaces are: space is a base45 character).
function clean(text: string): string {
  return text.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
}

export const mount: Mount = (root, ctx) => {
  let alive = true;
  let lists: CachedLists = { trust: null, revocations: null, checked_at: null };
  let listsLoaded = false;
  // Online, the lists are updated as soon as the page opens (loadLists, then update).
  let refreshing = navigator.onLine;
  let refresh: RefreshOutcome | null = null;
  let busy: 'check' | 'photo' | null = null;
  let message: string | null = null; // a problem with the input (no QR in photo, empty text)
  let checked: Checked | null = null;
  let text = ctx.params.get('hp1') ?? '';
  let seq = 0;
  const controller = new AbortController();

  const loadLists = async () => {
    lists = await cachedLists();
    listsLoaded = true;
    if (alive) draw();
  };

  const update = async () => {
    // refreshLists runs one update at a time: a second call gets the running one's outcome.
    refreshing = true;
    draw();
    refresh = await refreshLists(controller.signal);
    lists = refresh.lists;
    listsLoaded = true;
    refreshing = false;
    if (!alive) return;
    draw();
    // A result on screen was checked with the old lists: check it again with the new ones.
    if (checked && text) void check(text, false);
  };

  const check = async (value: string, scroll = true) => {
    const hp1 = clean(value);
    text = hp1;
    message = null;
    if (!hp1) {
      checked = null;
      message = t('verify:empty_input');
      draw();
      return;
    }
    const mine = ++seq;
    busy = 'check';
    draw();
    performance.clearMeasures('hp1-verify');
    const local = await (await import('../hp1/index')).verifyOffline(hp1);
    const m = performance.getEntriesByName('hp1-verify', 'measure').at(-1);
    if (!alive || mine !== seq) return;
    checked = { local, server: null, ms: m ? m.duration : null };
    busy = null;
    draw();
    if (scroll) root.querySelector('[data-testid="verify-result"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    if (!navigator.onLine) return;
    try {
      const server = await api<ServerAnswer>('POST', '/verify', { hp1 }, controller.signal);
      if (!alive || mine !== seq || !checked) return;
      checked = { ...checked, server };
      draw();
    } catch {
      // Offline after all, or the server failed: the phone's answer stands.
    }
  };

  const scan = async () => {
    message = null;
    const value = await scanCode({ kind: 'qr' });
    if (!alive || value === null) return;
    text = clean(value);
    const area = root.querySelector<HTMLTextAreaElement>('[data-testid="verify-input"]');
    if (area) area.value = text;
    await check(text);
  };

  const upload = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    busy = 'photo';
    message = null;
    draw();
    let value: string | null = null;
    try {
      value = await decodeImageFile(file);
    } catch {
      value = null;
    }
    busy = null;
    if (!alive) return;
    if (!value) {
      checked = null;
      message = t('verify:upload_none');
      draw();
      return;
    }
    text = clean(value);
    const area = root.querySelector<HTMLTextAreaElement>('[data-testid="verify-input"]');
    if (area) area.value = text;
    await check(text);
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const area = root.querySelector<HTMLTextAreaElement>('[data-testid="verify-input"]');
    void check(area?.value ?? '');
  };

  // --- views ---

  const listsView = () => {
    if (!listsLoaded) return html`<p class="muted">${t('loading')}</p>`;
    const refused = refresh?.errors.length
      ? html`<p class="error" role="alert" data-testid="lists-refused">
          ${t('verify:lists.refused', { reason: refresh.errors.map((x) => reasonWords(x.code)).join('; ') })}
        </p>`
      : nothing;
    if (!lists.trust) {
      const key = refreshing ? 'verify:lists.missing_loading' : navigator.onLine && refresh?.online ? 'verify:lists.missing_server' : navigator.onLine ? 'verify:lists.missing_error' : 'verify:lists.missing_offline';
      return html`<div class="verify-lists" data-testid="lists" data-refreshing=${String(refreshing)}>
        <p class="${refreshing ? 'notice' : 'error'}" role="status" data-testid="lists-missing">${t(key)}</p>
        ${refused}
        ${refreshButton()}
      </div>`;
    }
    const checkedAt = lists.checked_at ?? lists.trust.fetched_at;
    const stale = Date.now() - Date.parse(checkedAt) > STALE_MS;
    return html`<div class="verify-lists" data-testid="lists" data-refreshing=${String(refreshing)}>
      <ul
        class="lists-age ${stale ? 'stale' : ''}"
        data-testid="lists-age"
        data-checked-at=${checkedAt}
        data-trust-sequence=${lists.trust.list.sequence}
        data-revoked=${lists.revocations?.list.revoked.length ?? 0}
      >
        <li>${t('verify:lists.trust_age', { date: formatDateTime(lists.trust.list.issued_at), ago: ago(checkedAt) })}</li>
        <li>
          ${lists.revocations
            ? t('verify:lists.revocations_age', {
                date: formatDateTime(lists.revocations.list.issued_at),
                count: formatNumber(lists.revocations.list.revoked.length),
              })
            : t('verify:lists.no_revocations')}
        </li>
        ${lists.trust.anchor === 'origin' ? html`<li class="muted">${t('verify:lists.origin_anchor')}</li>` : nothing}
      </ul>
      ${stale ? html`<p class="badge badge-warn" data-testid="lists-stale">${t('verify:lists.stale')}</p>` : nothing}
      ${refused}
      ${refreshButton()}
    </div>`;
  };

  const refreshButton = () =>
    html`<button class="btn btn-small" data-testid="lists-refresh" ?disabled=${refreshing || !navigator.onLine} @click=${() => void update()}>
      ${refreshing ? t('verify:lists.refreshing') : t('verify:lists.refresh')}
    </button>`;

  const claimsView = (c: Claims, checkCode: string | null, refused: boolean) => {
    const place = (code: string, where: string) => html`<bdi dir="ltr">${code}</bdi>${where ? html` · <bdi>${where}</bdi>` : nothing}`;
    const tags = c.tags.length
      ? html`<details><summary>${formatNumber(c.tag_count)}</summary><p dir="ltr" class="verify-tags">${c.tags.join(', ')}</p></details>`
      : c.tags_sha256
        ? t('verify:claim.tags_folded', { count: formatNumber(c.tag_count) })
        : '—';
    const rows: [string, unknown][] = [
      [t('verify:claim.number'), html`<strong dir="ltr" data-testid="verify-number">${c.number}</strong>`],
      [t('verify:claim.purpose'), purposeName(c.purpose)],
      [t('verify:claim.animals'), t('verify:claim.head', { species: speciesName(c.species), count: formatNumber(c.head_count) })],
      [t('verify:claim.tags'), tags],
      [t('verify:claim.origin'), place(c.origin, c.origin_place)],
      [t('verify:claim.destination'), place(c.destination, c.destination_place)],
      [t('verify:claim.valid_from'), formatDateTime(c.issued_at)],
      [t('verify:claim.valid_until'), html`<strong>${formatDateTime(c.valid_until)}</strong>`],
      [
        t('verify:claim.vaccinations'),
        c.vaccinations.length
          ? html`<ul class="verify-vacc">
              ${groupVaccinations(c.vaccinations).map(
                ([v, n]) =>
                  html`<li>${t('verify:claim.vaccination', { disease: diseaseName(v.disease), date: formatDate(v.administered_on) })}${n > 1
                      ? html` <span class="muted">×${formatNumber(n)}</span>`
                      : nothing}</li>`,
              )}
            </ul>`
          : '—',
      ],
      [t('verify:claim.issuer'), html`<bdi dir="ltr">${c.authority}</bdi>${c.vet ? html` · <bdi>${c.vet}</bdi>` : nothing}`],
    ];
    // The code of the owner's "certificate issued" SMS: the same digits there and here say the
    // code scanned is the certificate the owner was told of.
    if (checkCode)
      rows.push([
        t('verify:claim.check_code'),
        html`<strong dir="ltr" data-testid="verify-check-code">${checkCode}</strong> <span class="muted">${t('verify:claim.check_code_hint')}</span>`,
      ]);
    return html`<section class="verify-claims ${refused ? 'refused' : ''}" data-testid="verify-claims">
      <h2>${refused ? t('verify:result.refused_claims') : t('verify:result.claims')}</h2>
      <dl>${rows.map(([k, v]) => html`<div class="claim-row"><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
    </section>`;
  };

  // W14: the origin is now in a zone (the server's warning online; offline, the zones published
  // with the cached revocation list, with their disease and last day).
  const zoneView = (ch: Checked) => {
    const local = ch.local.warnings ?? [];
    const server = (ch.server?.warnings ?? []).filter((w) => w.code === 'origin_in_zone');
    if (!local.length && !server.length) return nothing;
    return html`<div class="notice notice-warn" role="status" data-testid="verify-zone" data-code="origin_in_zone" data-source=${local.length ? 'phone' : 'server'}>
      <strong>${t('verify:zone.origin_in_zone')}</strong>
      ${local.length
        ? html`<ul>
            ${local.map(
              (w) => html`<li data-testid="verify-zone-item" data-zone=${w.zone.id}>${t('verify:zone.detail', { disease: diseaseName(w.zone.disease), date: formatDate(w.zone.ends_on) })}</li>`,
            )}
          </ul>`
        : nothing}
    </div>`;
  };

  const resultView = (ch: Checked) => {
    const server = ch.server;
    // The server's answer, when there is one, is the newer: it has the newest lists and alone knows
    // whether the certificate was used already.
    const status = server ? server.status : ch.local.status;
    const reasons = server ? server.reasons : ch.local.reasons;
    const disagree = server && server.status !== ch.local.status;
    const ok = status === 'valid';
    const claims = ch.local.certificate;
    return html`<section class="card verify-result st-${status === 'not_yet_valid' ? 'expired' : status}" data-testid="verify-result" data-status=${status} aria-live="polite">
      <p class="verify-status"><span class="verify-icon" aria-hidden="true">${ok ? '✔' : '✖'}</span><span data-testid="verify-status">${statusWords(status)}</span></p>
      ${reasons.length
        ? html`<ul class="verify-reasons">
            ${reasons.map((r) => html`<li data-testid="verify-reason" data-code=${r.code}>${reasonWords(r.code)}</li>`)}
          </ul>`
        : nothing}
      ${zoneView(ch)}
      ${server?.consumed_at
        ? html`<p data-testid="verify-consumed">${t('verify:result.consumed_on', { date: formatDateTime(server.consumed_at) })}${server.consumed_place ? html` · ${server.consumed_place}` : nothing}</p>`
        : nothing}
      <p class="verify-how muted" data-testid="verify-how">
        ${t('verify:result.offline')}${server ? html` ${t('verify:result.server')}` : nothing}
        ${disagree ? html`<br />${t('verify:result.phone_said', { status: statusWords(ch.local.status) })}` : nothing}
      </p>
      ${claims ? claimsView(claims, ch.local.check_code, status === 'invalid') : nothing}
    </section>`;
  };

  const draw = () => {
    if (!alive) return;
    render(
      html`<section class="card verify">
          <h1>${t('verify:title')}</h1>
          <p class="muted">${t('verify:intro')}</p>
          ${listsView()}
          <div class="verify-ways">
            <button class="btn btn-primary btn-block verify-big" data-testid="verify-scan" ?disabled=${busy !== null} @click=${() => void scan()}>
              <span aria-hidden="true">📷</span> ${t('verify:scan_button')}
            </button>
            <label class="btn btn-block verify-big verify-upload">
              <span aria-hidden="true">🖼</span> ${busy === 'photo' ? t('verify:decoding') : t('verify:upload_button')}
              <input type="file" accept="image/*" data-testid="verify-upload" class="sr-only" ?disabled=${busy !== null} @change=${upload} />
            </label>
            <form @submit=${submit} class="verify-paste">
              <label class="field">${t('verify:paste_label')}
                <textarea data-testid="verify-input" rows="4" dir="ltr" autocapitalize="characters" autocomplete="off" spellcheck="false" .value=${text}></textarea>
              </label>
              <button class="btn btn-block" data-testid="verify-submit" ?disabled=${busy !== null}>${busy === 'check' ? t('verify:checking') : t('verify:submit')}</button>
            </form>
          </div>
          ${message ? html`<p class="error" role="alert" data-testid="verify-message">${message}</p>` : nothing}
        </section>
        ${checked ? resultView(checked) : nothing}`,
      root,
    );
  };

  const onOnline = () => void update();
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', draw);
  // The first check builds the Ed25519 tables (hp1/verify.ts warmUp), a long task on a slow phone:
  // done when the user first reaches for a way in (tap, focus, key), not while the page loads.
  const warm = () => {
    root.removeEventListener('pointerdown', warm, true);
    root.removeEventListener('focusin', warm, true);
    root.removeEventListener('keydown', warm, true);
    void import('../hp1/verify').then((m) => m.warmUp());
  };
  root.addEventListener('pointerdown', warm, true);
  root.addEventListener('focusin', warm, true);
  root.addEventListener('keydown', warm, true);
  draw();
  void loadLists().then(() => {
    if (navigator.onLine) void update();
    if (text) void check(text);
  });

  return () => {
    alive = false;
    controller.abort();
    root.removeEventListener('pointerdown', warm, true);
    root.removeEventListener('focusin', warm, true);
    root.removeEventListener('keydown', warm, true);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', draw);
    render(nothing, root);
  };
};
