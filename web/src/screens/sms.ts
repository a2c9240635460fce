// W15, the admin's messages to owners: newest first, each with when, the owner's phone, what kind
// of message, its state in words, GSM-7 or UCS-2 and how many SMS parts, the hand-overs tried and
// the last error; a filter by state; and a warning when messages wait and the server has no
// gateway (serve --sms-gateway) to send them. The decisions are sms.ts's; this is the view.
import './sms.css';
import { api } from '../api';
import { isolate } from '../age';
import { formatDateTime, formatNumber, t } from '../i18n';
import { SMS_KINDS, SMS_STATUSES, SmsState, type SmsItem, type SmsStatus } from '../sms';
import { errorBox, html, nothing, render, tParts, type Mount, type TemplateResult } from '../ui';

const n = (v: number) => isolate(formatNumber(v));

function kindWord(kind: string): string {
  return (SMS_KINDS as readonly string[]).includes(kind) ? t(`sms:kind.${kind}`) : kind;
}

function message(m: SmsItem): TemplateResult {
  return html`<li class="card sms-item" data-testid="sms-item" data-id=${m.id} data-status=${m.status} data-kind=${m.kind} data-coding=${m.coding}>
    <div class="sms-head">
      <span class="st sms-st sms-st-${m.status}" data-testid="sms-status">${t(`sms:status.${m.status}`)}</span>
      <time class="muted" datetime=${m.created_at}>${formatDateTime(m.created_at)}</time>
    </div>
    <p class="sms-to">
      <bdi dir="ltr" class="nowrap" data-testid="sms-phone">${m.phone}</bdi>
      · <span data-testid="sms-kind">${kindWord(m.kind)}</span>
    </p>
    <details class="sms-text">
      <summary>${t('sms:text')}</summary>
      <p dir="auto" data-testid="sms-text">${m.text}</p>
    </details>
    <dl class="sms-facts">
      <div><dt>${t('sms:coding')}</dt><dd data-testid="sms-coding">${t(`sms:coding_${m.coding}`)}</dd></div>
      <div><dt>${t('sms:segments')}</dt><dd data-testid="sms-segments">${n(m.segments)}</dd></div>
      <div><dt>${t('sms:attempts')}</dt><dd data-testid="sms-attempts">${n(m.attempts)}</dd></div>
      ${m.sent_at ? html`<div><dt>${t('sms:sent_at')}</dt><dd>${formatDateTime(m.sent_at)}</dd></div>` : nothing}
      ${m.last_error
        ? html`<div class="sms-error"><dt>${t('sms:last_error')}</dt><dd data-testid="sms-error"><bdi dir="ltr">${m.last_error}</bdi></dd></div>`
        : nothing}
    </dl>
  </li>`;
}

export const mount: Mount = (root) => {
  const st = new SmsState({ getJson: <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal) });

  function draw(): void {
    render(
      html`<div class="sms" data-testid="sms" data-status=${st.status}>
        <div class="card sms-top">
          <h1>${t('sms:title')}</h1>
          <p class="muted">${t('sms:intro')}</p>
          <label class="field">${t('sms:filter')}
            <select data-testid="sms-filter" @change=${(e: Event) => void st.load((e.target as HTMLSelectElement).value as SmsStatus | '')}>
              <option value="" ?selected=${st.filter === ''}>${t('sms:all')}</option>
              ${SMS_STATUSES.map((s) => html`<option value=${s} ?selected=${st.filter === s}>${t(`sms:status.${s}`)}</option>`)}
            </select>
          </label>
        </div>
        ${st.noGateway
          ? html`<p class="notice notice-warn" role="status" data-testid="sms-no-gateway" data-queued=${st.queued}>
              ${tParts('sms:no_gateway', { n: n(st.queued) }, { command: html`<code dir="ltr" class="nowrap">herdpass serve --sms-gateway</code>` })}
            </p>`
          : nothing}
        ${st.status === 'loading' ? html`<p class="muted" data-testid="sms-loading">${t('loading')}</p>` : nothing}
        ${st.status === 'error' ? errorBox(st.error, () => void st.load()) : nothing}
        ${st.status === 'ready' && st.items.length === 0 ? html`<p class="card" data-testid="sms-empty">${t('sms:empty')}</p>` : nothing}
        <ol class="sms-list">${st.items.map(message)}</ol>
        ${st.status === 'ready' && st.error ? errorBox(st.error, () => void st.more(), 'sms-more-error') : nothing}
        ${st.status === 'ready' && st.nextBefore !== undefined
          ? html`<button type="button" class="btn btn-block" data-testid="sms-more" ?disabled=${st.loadingMore} @click=${() => void st.more()}>
              ${st.loadingMore ? t('loading') : t('sms:more')}
            </button>`
          : nothing}
      </div>`,
      root,
    );
  }

  st.onChange = draw;
  draw();
  void st.load('');

  return () => {
    st.close();
    render(nothing, root);
  };
};
