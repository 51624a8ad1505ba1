// Alert history page: list + filters + detail, kept current by server-sent events from GET /events.
// Every value from the server is put in the page with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;
const state = { alerts: new Map(), order: [], cursor: null, selected: null, filters: {} };

/* ---------- small helpers ---------- */

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'href' || k === 'datetime' || k === 'scope') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(path, init = {}) {
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.headers || {}) } });
  if (res.status === 401) {
    location.reload(); // the session ended: the server answers with the sign-in form
    throw new Error('signed out');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.reason || `HTTP ${res.status}`);
  return body;
}

const words = (s) => String(s).replace(/_/g, ' ');
const announce = (msg) => {
  $('announcer').textContent = msg;
};

function money(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 0 }).format(amount);
  } catch {
    return String(amount);
  }
}

function when(iso) {
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  const fmt = {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    ...(sameYear ? {} : { year: 'numeric' }),
  };
  return el('time', { datetime: iso, title: d.toString(), text: d.toLocaleString(undefined, fmt) });
}

function duration(ms) {
  if (!(ms >= 0)) return '';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function badge(kind, value) {
  const v = value || 'none';
  return el('span', { class: `badge ${kind}-${v}`, 'data-badge': kind, text: v === 'none' ? 'in progress' : words(v) });
}

/** Who the alert rang, in order: the VP (and how often), backups, the AE. */
function whoWasRung(alert) {
  const counts = new Map();
  for (const t of alert.timeline) {
    const who =
      t.event === 'call.dialing' ? (t.callee === 'vp' ? 'VP' : 'Backup') : t.event === 'ae.dialing' ? `AE ${t.ae || ''}`.trim() : null;
    if (who) counts.set(who, (counts.get(who) || 0) + 1);
  }
  return [...counts].map(([who, n]) => (n > 1 ? `${who} ×${n}` : who)).join(', ') || '—';
}

/* ---------- the list ---------- */

function row(alert) {
  const d = alert.deal;
  const stage = d.previous_stage ? `${d.previous_stage} → ${d.stage || '?'}` : d.stage || '—';
  const link = el('a', { href: `#${alert.id}`, text: d.name, 'aria-label': `${d.name}: show calls and conversation` });
  return el(
    'tr',
    { 'data-id': alert.id, class: state.selected === alert.id ? 'selected' : '' },
    el('td', {}, when(alert.created_at)),
    el('td', {}, link),
    el('td', { text: d.account || '—' }),
    el('td', { class: 'num', text: money(d.amount, d.currency) }),
    el('td', { text: stage }),
    el('td', {}, badge('status', alert.status)),
    el('td', {}, badge('outcome', alert.outcome)),
    el('td', { text: whoWasRung(alert) }),
  );
}

function renderList() {
  const body = $('alerts-body');
  body.replaceChildren(...state.order.map((id) => row(state.alerts.get(id))));
  $('load-more').hidden = !state.cursor;
  const filtered = Object.values(state.filters).some(Boolean);
  const none = filtered ? 'No alerts match.' : 'No alerts yet. Send a test alert to see one arrive.';
  $('list-status').textContent = state.order.length ? `${state.order.length} alert${state.order.length === 1 ? '' : 's'} shown` : none;
}

function query(cursor) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const f = state.filters;
  if (f.outcome) p.set('outcome', f.outcome);
  // Date inputs are local days: from its midnight, to the midnight after.
  if (f.from) p.set('from', new Date(`${f.from}T00:00:00`).toISOString());
  if (f.to) p.set('to', new Date(new Date(`${f.to}T00:00:00`).getTime() + 86_400_000).toISOString());
  if (cursor) p.set('cursor', cursor);
  return `/alerts?${p}`;
}

async function loadList({ more = false } = {}) {
  $('list-status').textContent = 'Loading…';
  try {
    const page = await api(query(more ? state.cursor : null));
    if (!more) {
      state.alerts.clear();
      state.order = [];
    }
    for (const a of page.alerts) {
      if (!state.alerts.has(a.id)) state.order.push(a.id);
      state.alerts.set(a.id, a);
    }
    state.cursor = page.next_cursor;
    renderList();
  } catch (err) {
    $('list-status').textContent = `Could not load alerts: ${err.message}`;
  }
}

function matchesFilters(alert) {
  const f = state.filters;
  if (f.outcome && (f.outcome === 'none' ? alert.outcome !== null : alert.outcome !== f.outcome)) return false;
  const d = new Date(alert.created_at);
  const localDay = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return !(f.from && localDay < f.from) && !(f.to && localDay > f.to);
}

/** One alert changed (SSE): refetch it, update or insert its row, refresh the detail if it is open. */
async function refreshAlert(id) {
  let alert;
  try {
    alert = await api(`/alerts/${encodeURIComponent(id)}`);
  } catch {
    return;
  }
  const known = state.alerts.has(id);
  if (!matchesFilters(alert)) {
    if (known) {
      state.alerts.delete(id);
      state.order = state.order.filter((x) => x !== id);
      renderList();
    }
  } else {
    state.alerts.set(id, alert);
    if (!known) {
      state.order.unshift(id);
      state.order.sort((a, b) => (a < b ? 1 : -1)); // ids are time-ordered
      announce(`New alert: ${alert.deal.name}`);
    }
    const old = document.querySelector(`tr[data-id="${CSS.escape(id)}"]`);
    if (old) old.replaceWith(row(alert));
    else renderList();
    if (!known) document.querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.classList.add('fresh');
  }
  if (state.selected === id) renderDetail(alert);
}

/* ---------- the detail view ---------- */

const SAID_TO = { vp: 'To the VP', ae: 'To the AE', escalation: 'To the backup' };

/** One line of the conversation: who, what, and the words when there are some. */
function describe(t) {
  switch (t.event) {
    case 'alert.created':
      return ['Alert', `created: ${t.reason || ''}`];
    case 'route.matched':
      return [
        'Routing',
        t.route
          ? `route “${t.route}” (version ${t.version}): ${(t.call || []).map((r) => r.name).join(' → ')}`
          : `no route matched (version ${t.version})`,
      ];
    case 'call.dialing':
      return ['Dialer', `ringing ${t.name || `the ${t.callee === 'vp' ? 'VP' : 'backup contact'}`} (attempt ${(t.attempt ?? 0) + 1})`];
    case 'vp.ringing':
      return ['VP', 'phone ringing'];
    case 'ae.ringing':
      return ['AE', 'phone ringing'];
    case 'vp.answered':
      return ['VP', 'answered'];
    case 'said':
      return [t.to === 'ae' && t.prompt === 'whisper' ? 'Whisper to the AE' : SAID_TO[t.to] || 'Said', words(t.prompt || ''), t.text];
    case 'vp.said':
      return ['VP said', '', t.text];
    case 'ae.said':
      return ['AE said', '', t.text];
    case 'vp.intent':
      return ['VP', `chose “${words(t.intent)}”${t.via ? ` (${words(t.via)})` : ''}`];
    case 'ae.dialing':
      return ['Dialer', `ringing the AE${t.ae ? `, ${t.ae}` : ''}`];
    case 'ae.answered':
      return ['AE', 'answered'];
    case 'ae.human':
      return ['AE', 'a person is on the line'];
    case 'ae.accepted':
      return ['AE', `accepted${t.via ? ` (${words(t.via)})` : ''}`];
    case 'ae.unavailable':
      return ['AE', `unavailable${t.reason ? `: ${words(t.reason)}` : ''}`];
    case 'bridged':
      return ['Bridge', 'VP and AE connected'];
    case 'call.ended':
      return ['Call', `ended: ${words(t.result || '')}${t.reason ? ` (${t.reason})` : ''}`];
    case 'alert.outcome':
      return ['Outcome', `${words(t.outcome)}${t.reason ? ` (${t.reason})` : ''}`];
    case 'retry.scheduled':
      return ['Dialer', `${t.name ? `ring ${t.name}` : `retry ${t.callee === 'vp' ? 'the VP' : 'a backup'}`} in ${t.in_seconds}s`];
    case 'waiting':
      return ['Dialer', `waiting: ${t.reason || ''}`];
    case 'snoozed':
      return ['VP', `snoozed for ${t.minutes} minutes`];
    case 'briefing.written':
      return [
        'Briefing',
        t.fallback
          ? `template used${t.fallback_reason ? ` (${words(t.fallback_reason)})` : ''}`
          : `written by ${t.model || 'the AI'}${t.latency_ms ? ` in ${t.latency_ms} ms` : ''}`,
      ];
    case 'deferred':
      return [
        'Dialer',
        `quiet hours (${t.time_zone || ''}): waiting until ${t.until ? new Date(t.until).toLocaleString() : 'the morning'}`,
      ];
    case 'vp.question':
      return ['VP asked', '', t.question];
    case 'vp.silence':
      return ['VP', 'said nothing; the briefing is offered again'];
    case 'digest.next':
      return ['VP', `moved to alert ${(t.focus ?? 0) + 1} of the digest`];
    case 'talk.ended':
      return ['Bridge', `they talked for ${duration((t.talk_seconds ?? 0) * 1000)}`];
    case 'call.failed':
      return ['Call', `our side could not go on: ${t.reason || ''}`];
    case 'call.stalled':
      return ['Watchdog', `nothing happened on the line: ${t.next || ''}`];
    case 'vp.voicemail':
      return ['VP', 'voicemail answered'];
    case 'vp.voicemail_message':
      return ['VP', t.left ? 'message left (played to its end)' : `message not left (${t.status || 'cut off'})`];
    case 'note.written':
      return [
        'CRM note',
        `written on the deal (${words(t.outcome || '')})${t.found_after_unknown ? ', found after an unanswered write' : ''}`,
      ];
    case 'note.skipped':
      return ['CRM note', `not written: ${t.reason || ''}`];
    case 'note.failed':
      return [
        'CRM note',
        `${t.outcome_unknown ? 'may not have been written' : 'refused'}: ${t.reason || ''}${t.problem ? ` (${t.problem})` : ''}`,
      ];
    case 'sms.sent':
      return [
        'Text',
        `sent to ${t.name || t.recipient} (${words(t.status || '')}${t.parts ? `, ${t.parts} part${t.parts === 1 ? '' : 's'}` : ''})`,
      ];
    case 'sms.failed':
      return ['Text', `${t.outcome_unknown ? 'may not have reached' : 'not sent to'} ${t.name || t.recipient}: ${t.reason || ''}`];
    case 'sms.delivery':
      return ['Text', `to ${t.name || t.recipient}: ${words(t.status || '')}${t.error ? ` (${t.error})` : ''}`];
    case 'callback.heard':
      return ['Call back', `${t.name || t.recipient} called back and heard this alert (${(t.position ?? 0) + 1} of ${t.of ?? 1})`];
    default:
      return [words(t.event), ''];
  }
}

/** Each dial of the alert, from its timeline: who, when, answered, result, how long, how long bridged. */
function callAttempts(alert) {
  const calls = new Map();
  for (const t of alert.timeline) {
    if (!t.call_id) continue;
    const c = calls.get(t.call_id) || { id: t.call_id };
    calls.set(t.call_id, c);
    const at = Date.parse(t.at);
    c.first ??= at;
    if (t.event === 'callback.heard') Object.assign(c, { callBack: t.name || 'the recipient' });
    if (t.event === 'call.dialing') Object.assign(c, { start: at, callee: t.callee, attempt: t.attempt ?? 0 });
    else if (t.event === 'vp.answered') c.answered = at;
    else if (t.event === 'ae.dialing') c.ae = t.ae || 'AE';
    else if (t.event === 'bridged') c.bridged = at;
    else if (t.event === 'call.ended') Object.assign(c, { end: at, result: t.result });
  }
  return [...calls.values()];
}

function section(title, ...content) {
  return [el('h3', { text: title }), ...content];
}

function renderDetail(alert) {
  const d = alert.deal;
  $('detail-heading').textContent = d.name;
  const created = Date.parse(alert.created_at);
  const facts = el(
    'dl',
    {},
    el('dt', { text: 'Status' }),
    el('dd', {}, badge('status', alert.status), ' ', badge('outcome', alert.outcome)),
    el('dt', { text: 'Why it fired' }),
    el('dd', { text: `${alert.reason}${alert.reasons?.length ? ` (${alert.reasons.map(words).join(', ')})` : ''}` }),
    el('dt', { text: 'Source' }),
    el('dd', { text: alert.source }),
    el('dt', { text: 'Created' }),
    el('dd', {}, when(alert.created_at)),
    el('dt', { text: 'Account' }),
    el('dd', { text: d.account || '—' }),
    el('dt', { text: 'Amount' }),
    el('dd', { text: money(d.amount, d.currency) }),
    el('dt', { text: 'Stage' }),
    el('dd', { text: d.previous_stage ? `${d.previous_stage} → ${d.stage}` : d.stage || '—' }),
    el('dt', { text: 'Owner (AE)' }),
    el('dd', { text: d.owner ? d.owner.name || d.owner.email || '—' : '—' }),
    alert.outcome_reason ? [el('dt', { text: 'Outcome detail' }), el('dd', { text: alert.outcome_reason })] : null,
    alert.talk_seconds != null
      ? [el('dt', { text: 'Talk time' }), el('dd', { text: duration(alert.talk_seconds * 1000) })]
      : alert.outcome === 'connected' && alert.status === 'calling'
        ? [el('dt', { text: 'Talk time' }), el('dd', { text: 'on the line now' })]
        : null,
  );
  const b = alert.briefing;
  const briefing = b
    ? [
        el('p', { class: 'briefing', text: b.text }),
        el('p', {
          class: 'muted',
          text: b.fallback
            ? `Template briefing${b.fallback_reason ? ` (${b.fallback_reason})` : ''}`
            : `Written by ${b.model || 'the AI'}${b.latency_ms ? ` in ${b.latency_ms} ms` : ''}`,
        }),
      ]
    : [el('p', { class: 'muted', text: 'No briefing written yet; the call opens with the template headline.' })];

  const attempts = callAttempts(alert);
  const callTable = attempts.length
    ? el(
        'table',
        {},
        el('caption', { class: 'visually-hidden', text: 'Call attempts' }),
        el(
          'thead',
          {},
          el('tr', {}, ...['#', 'Who', 'Dialled', 'Result', 'Duration', 'Bridged for'].map((h) => el('th', { scope: 'col', text: h }))),
        ),
        el(
          'tbody',
          {},
          ...attempts.map((c) =>
            el(
              'tr',
              {},
              el('td', { text: String((c.attempt ?? 0) + 1) }),
              el('td', {
                text: `${c.callBack ? `Call back from ${c.callBack}` : c.callee === 'vp' ? 'VP' : 'Backup'}${c.ae ? ` → ${c.ae}` : ''}`,
              }),
              el('td', {}, (c.start ?? c.first) ? when(new Date(c.start ?? c.first).toISOString()) : '—'),
              el('td', { text: c.result ? words(c.result) : c.answered ? 'in progress' : 'ringing' }),
              el('td', { text: c.end && (c.start ?? c.first) ? duration(c.end - (c.start ?? c.first)) : '' }),
              el('td', { text: c.bridged && c.end ? duration(c.end - c.bridged) : c.bridged ? 'on the line' : '' }),
            ),
          ),
        ),
      )
    : el('p', { class: 'muted', text: 'No call placed yet.' });

  const timeline = el(
    'ol',
    { class: 'timeline', 'aria-label': 'Conversation timeline' },
    ...alert.timeline.map((t) => {
      const [who, what, quote] = describe(t);
      return el(
        'li',
        { class: `ev-${t.event.replace(/\./g, '-')}`, 'data-event': t.event },
        el('span', { class: 'at', title: t.at, text: `+${duration(Date.parse(t.at) - created)}` }),
        el('span', {}, el('span', { class: 'who', text: who }), what ? ` ${what}` : '', quote ? el('q', { text: quote }) : null),
      );
    }),
  );

  $('detail-body').replaceChildren(
    ...section('Why it fired', facts),
    ...section('Briefing', ...briefing),
    ...section('Call attempts', callTable),
    ...section('Conversation', timeline),
  );
}

async function openDetail(id, { focus = true } = {}) {
  state.selected = id;
  $('detail').hidden = false;
  document.querySelector('.layout').classList.add('with-detail');
  for (const tr of document.querySelectorAll('#alerts-body tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  const known = state.alerts.get(id);
  if (known) renderDetail(known);
  if (focus) $('detail-heading').focus();
  await refreshAlert(id);
}

function closeDetail() {
  const id = state.selected;
  state.selected = null;
  $('detail').hidden = true;
  document.querySelector('.layout').classList.remove('with-detail');
  if (location.hash) history.replaceState(null, '', location.pathname);
  for (const tr of document.querySelectorAll('#alerts-body tr.selected')) tr.classList.remove('selected');
  document.querySelector(`tr[data-id="${CSS.escape(id || '')}"] a`)?.focus();
}

function onHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (/^al_[0-9a-z]+$/.test(id)) void openDetail(id);
  else if (state.selected) closeDetail();
}

/* ---------- live updates ---------- */

function connectEvents() {
  const live = $('live-status');
  const source = new EventSource('/events');
  const pending = new Map();
  source.addEventListener('ready', () => {
    live.dataset.state = 'live';
    live.textContent = 'Live';
    // Reload once subscribed: whatever changed before (page load, a reconnect) is in the list after all.
    void loadList();
  });
  source.addEventListener('alert', (e) => {
    const { id } = JSON.parse(e.data);
    // Bursts of timeline writes for one alert become one refetch.
    clearTimeout(pending.get(id));
    pending.set(
      id,
      setTimeout(() => {
        pending.delete(id);
        void refreshAlert(id);
      }, 150),
    );
  });
  source.addEventListener('error', () => {
    live.dataset.state = 'down';
    live.textContent = 'Reconnecting…';
  });
}

/* ---------- test alert ---------- */

async function loadDeals() {
  try {
    const { deals } = await api('/deals?limit=25');
    const select = $('test-deal');
    for (const d of deals)
      select.append(el('option', { value: d.id, text: `${d.name}${d.account ? ` · ${d.account}` : ''} (${money(d.amount, d.currency)})` }));
  } catch {
    // The CRM may be unreachable; the made-up deal still works.
  }
}

async function sendTestAlert(e) {
  e.preventDefault();
  const button = $('send-test-alert');
  const result = $('test-alert-result');
  const dealId = $('test-deal').value;
  const body = dealId ? { deal_id: dealId } : { deal_name: 'Test alert', account: 'Deal Desk test', amount: 120000, stage: 'Negotiation' };
  button.disabled = true;
  result.className = 'form-result';
  result.textContent = 'Sending…';
  try {
    const { alert_id } = await api('/alert', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    result.textContent = `Test alert ${alert_id} sent: the VP's phone is ringing.`;
  } catch (err) {
    result.className = 'form-result error';
    result.textContent = `Not sent: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

/* ---------- start ---------- */

function readFilters() {
  state.filters = { outcome: $('filter-outcome').value, from: $('filter-from').value, to: $('filter-to').value };
}

document.addEventListener('DOMContentLoaded', () => {
  $('filters').addEventListener('change', () => {
    readFilters();
    void loadList();
  });
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  $('filters').addEventListener('reset', () =>
    setTimeout(() => {
      readFilters();
      void loadList();
    }, 0),
  );
  $('load-more').addEventListener('click', () => void loadList({ more: true }));
  $('close-detail').addEventListener('click', closeDetail);
  $('test-alert-form').addEventListener('submit', sendTestAlert);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.selected) closeDetail();
  });
  window.addEventListener('hashchange', onHash);
  readFilters();
  void loadList().then(onHash);
  void loadDeals();
  connectEvents();
});
