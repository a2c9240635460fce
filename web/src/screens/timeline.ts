// An animal's timeline (W12): everything HerdPass knows of one animal or flock, newest first, for
// every signed-in role. Opened from where an animal is shown (the phone check's animals, the
// vaccinator's animal's life card) with ?tag= or ?flock=, or by typing a tag here. The owner is
// shown as the server sends it: masked outside the user's jurisdiction.
import { api, ApiError } from '../api';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { diseaseName, purposeName, speciesName } from '../labels';
import { newestFirst, targetFrom, timelinePath, timelineRoute, type Timeline, type TimelineEntry } from '../timeline';
import { errorBox, html, nothing, render, tParts, type Mount, type TemplateResult } from '../ui';
import './timeline.css';

const tag = (text: string) => html`<bdi dir="ltr" class="tag nowrap">${text}</bdi>`;

function certStatus(status: string): string {
  return t('cert_status.' + (status === 'issued' ? 'valid' : status));
}

function when(e: TimelineEntry): string {
  return e.at ? formatDateTime(e.at) : formatDate(e.date);
}

function entryTitle(e: TimelineEntry): TemplateResult | string {
  switch (e.kind) {
    case 'registered':
      return t('timeline:registered');
    case 'vaccination':
      return t('timeline:vaccination', { disease: diseaseName(e.vaccination?.disease ?? '') });
    case 'certificate':
      return tParts('timeline:certificate', {}, { number: tag(e.certificate?.number ?? '') });
    case 'certificate_used':
      return tParts('timeline:certificate_used', {}, { number: tag(e.certificate?.number ?? '') });
    case 'life_event':
      return t(`timeline:event.${e.event?.kind ?? 'died'}`);
    case 'holding':
    case 'passage':
    case 'arrival':
    case 'ownership_change':
      return t(`timeline:${e.kind}`);
  }
}

function entryDetails(e: TimelineEntry): TemplateResult {
  const lines: (TemplateResult | string)[] = [];
  if (e.owner) lines.push(t('timeline:owner', { name: e.owner.name }));
  if (e.vaccination) {
    lines.push(t('timeline:vaccine_batch', { vaccine: e.vaccination.vaccine, batch: e.vaccination.batch_no }));
    if (e.vaccination.voided) lines.push(t('timeline:void_reason', { reason: e.vaccination.void_reason ?? '' }));
  }
  const c = e.certificate;
  if (c && e.kind === 'certificate') {
    lines.push(
      t('timeline:movement', {
        purpose: purposeName(c.purpose),
        from: c.origin_place || c.origin,
        to: c.destination_place || c.destination,
      }),
    );
  }
  if (c && e.kind === 'certificate_used' && c.consumed) lines.push(t('timeline:used_at', { place: c.consumed.place }));
  if (e.previous_owner_masked) lines.push(t('timeline:earlier_owner', { name: e.previous_owner_masked }));
  if (e.passage) lines.push(t('timeline:head_seen', { count: formatNumber(e.passage.head_seen) }));
  if (e.arrival?.head_counted != null) {
    lines.push(t('timeline:head_counted', { counted: formatNumber(e.arrival.head_counted), expected: formatNumber(e.arrival.head_expected) }));
  }
  if (e.arrival?.mismatch) lines.push(t('timeline:mismatch'));
  if (e.ownership) lines.push(t('timeline:owner_change', { from: e.ownership.from.name, to: e.ownership.to.name }));
  const number = e.certificate_number ?? e.ownership?.certificate_number ?? (e.kind === 'arrival' ? c?.number : null);
  if (number) lines.push(tParts('timeline:certificate_ref', {}, { number: tag(number) }));
  if (e.event?.old_tag && e.event.new_tag) {
    lines.push(tParts('timeline:tag_change', {}, { old: tag(e.event.old_tag), new: tag(e.event.new_tag) }));
  }
  if (e.event?.reason) lines.push(t('timeline:reason', { reason: e.event.reason }));
  if (e.holding) lines.push(t('timeline:at_holding', { holding: e.holding.name }));
  if (e.by) lines.push(tParts('timeline:by', {}, { who: html`<bdi>${e.by}</bdi>` }));
  return html`${lines.map((l) => html`<div class="tl-detail">${l}</div>`)}`;
}

function entryView(e: TimelineEntry): TemplateResult {
  const voided = !!e.vaccination?.voided;
  return html`<li class="tl-entry tl-${e.kind} ${voided ? 'is-voided' : ''}" data-testid="timeline-entry" data-kind=${e.kind}
      data-event=${e.event?.kind ?? ''} data-voided=${voided ? 'true' : 'false'}>
    <div class="tl-when">${when(e)}</div>
    <div class="tl-body">
      <div class="tl-title">
        <strong>${entryTitle(e)}</strong>
        ${voided ? html`<span class="st st-revoked" data-testid="timeline-voided">${t('timeline:voided')}</span>` : nothing}
        ${e.kind === 'certificate' && e.certificate
          ? html`<span class="st st-${e.certificate.status === 'issued' ? 'valid' : e.certificate.status}" data-testid="timeline-cert-status"
              >${certStatus(e.certificate.status)}</span>`
          : nothing}
      </div>
      ${entryDetails(e)}
    </div>
  </li>`;
}

function headerView(tl: Timeline): TemplateResult {
  const a = tl.animal;
  return html`<section class="card tl-head" data-testid="timeline-animal" data-id=${a.id}>
    <h2>${a.kind === 'flock'
      ? t('timeline:flock', { species: speciesName(a.species), count: formatNumber(a.head_count) })
      : html`${speciesName(a.species)} ${tag(a.tag ?? '')}`}</h2>
    ${a.former_tags.length
      ? html`<p data-testid="timeline-former">${tParts('timeline:former_tags', {}, { tags: html`${a.former_tags.map((x, i) => html`${i ? ', ' : ''}${tag(x)}`)}` })}</p>`
      : nothing}
    <p data-testid="timeline-status">${a.status === 'alive' ? t('timeline:alive') : t('timeline:ended', { how: t(`timeline:event.${a.status}`), date: formatDate(a.ended_on) })}</p>
    <p data-testid="timeline-owner" data-masked=${tl.owner.masked ? 'true' : 'false'}>
      ${t('timeline:owner', { name: tl.owner.name })}${tl.owner.phone ? html` · <bdi dir="ltr" class="nowrap">${tl.owner.phone}</bdi>` : nothing}
    </p>
    ${tl.owner.masked ? html`<p class="muted" data-testid="timeline-masked-note">${t('timeline:masked_note')}</p>` : nothing}
  </section>`;
}

export const mount: Mount = (root, ctx) => {
  const controller = new AbortController();
  const target = targetFrom(ctx.params);
  let state: { kind: 'idle' } | { kind: 'loading' } | { kind: 'shown'; tl: Timeline } | { kind: 'missing' } | { kind: 'failed'; error: unknown } = target
    ? { kind: 'loading' }
    : { kind: 'idle' };

  const load = async () => {
    if (!target) return;
    state = { kind: 'loading' };
    draw();
    try {
      const tl = await api<Timeline>('GET', timelinePath(target), undefined, controller.signal);
      state = { kind: 'shown', tl };
    } catch (e) {
      if (controller.signal.aborted) return;
      state = e instanceof ApiError && e.status === 404 ? { kind: 'missing' } : { kind: 'failed', error: e };
    }
    draw();
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const text = String(new FormData(e.target as HTMLFormElement).get('tag') ?? '').replace(/[\s-]/g, '');
    if (text) ctx.navigate(timelineRoute({ tag: text }));
  };

  const body = (): TemplateResult | typeof nothing => {
    switch (state.kind) {
      case 'idle':
        return nothing;
      case 'loading':
        return html`<p class="muted" role="status" data-testid="timeline-loading">${t('timeline:loading')}</p>`;
      case 'missing':
        return html`<p class="error" role="alert" data-testid="timeline-missing">${t('timeline:not_found')}</p>`;
      case 'failed':
        return errorBox(state.error, () => void load(), 'timeline-error');
      case 'shown': {
        const entries = newestFirst(state.tl.entries);
        return html`${headerView(state.tl)}
          <section class="card">
            <h3>${t('timeline:entries', { count: formatNumber(entries.length) })}</h3>
            <p class="muted">${t('timeline:newest_first')}</p>
            <ol class="timeline" data-testid="timeline-list">${entries.map(entryView)}</ol>
          </section>`;
      }
    }
  };

  const draw = () =>
    render(
      html`<div class="timeline-screen">
        <section class="card">
          <h1>${t('timeline:title')}</h1>
          <form class="tl-form" data-testid="timeline-form" @submit=${submit}>
            <label class="field">${t('timeline:tag')}
              <input name="tag" inputmode="numeric" autocomplete="off" dir="ltr" data-testid="timeline-tag" .value=${target && 'tag' in target ? target.tag : ''} />
            </label>
            <button class="btn btn-primary" data-testid="timeline-show">${t('timeline:show')}</button>
          </form>
        </section>
        ${body()}
      </div>`,
      root,
    );

  draw();
  void load();
  return () => controller.abort();
};
