'use strict';
/*
 * The routing page: GET /routing fills three editable tables, "Save routing" PUTs the document they hold,
 * and a 400's problems (path + message) are shown next to the field each path names. Plain DOM, no build.
 */
const $ = (id) => document.getElementById(id);

async function api(path, init = {}) {
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.headers || {}) } });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { reason: text };
  }
  return { status: res.status, body };
}

/* Columns of each table: where the value lives in the document, how it is typed, and its label. */
const TABLES = {
  recipients: {
    body: 'recipients-body',
    noun: 'Recipient',
    columns: [
      { key: 'id', label: 'id' },
      { key: 'name', label: 'name' },
      { key: 'phone', label: 'phone', type: 'tel' },
      { key: 'timezone', label: 'time zone' },
      { key: 'quiet_hours', label: 'quiet hours' },
      { key: 'retries', label: 'retries', kind: 'number' },
    ],
  },
  routes: {
    body: 'routes-body',
    noun: 'Route',
    movable: true,
    columns: [
      { key: 'name', label: 'name' },
      { key: 'match.accounts', label: 'linked accounts', kind: 'list' },
      { key: 'match.min_amount', label: 'min amount', kind: 'number' },
      { key: 'match.max_amount', label: 'max amount', kind: 'number' },
      { key: 'match.stages', label: 'stages', kind: 'list' },
      { key: 'match.owner_emails', label: 'owner e-mails', kind: 'list' },
      { key: 'call', label: 'call', kind: 'list', keepEmpty: true },
    ],
  },
  reps: {
    body: 'reps-body',
    noun: 'Rep',
    columns: [
      { key: 'email', label: 'e-mail', type: 'email' },
      { key: 'name', label: 'name' },
      { key: 'phone', label: 'phone', type: 'tel' },
    ],
  },
};

const getIn = (obj, dotted) => dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
function setIn(obj, dotted, value) {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)] = value;
}

function shown(value, col) {
  if (value === undefined || value === null) return '';
  return col.kind === 'list' && Array.isArray(value) ? value.join(', ') : String(value);
}

/** A typed value from what was typed; undefined leaves the key out (for a condition: matches any). */
function parsed(raw, col) {
  const text = raw.trim();
  if (col.kind === 'list') {
    const items = text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    return items.length || col.keepEmpty ? items : undefined;
  }
  if (col.kind === 'number') {
    if (text === '') return undefined;
    const n = Number(text.replace(/[,_\s]/g, ''));
    // Not a number: sent as typed, so the server's answer names the field.
    return Number.isFinite(n) ? n : text;
  }
  return text === '' && col.key !== 'name' && col.key !== 'id' && col.key !== 'email' && col.key !== 'phone' ? undefined : text;
}

function renderTable(name, items) {
  const t = TABLES[name];
  const tbody = $(t.body);
  tbody.replaceChildren();
  tbody.dataset.path = name;
  items.forEach((item, i) => {
    const tr = document.createElement('tr');
    tr.dataset.path = `${name}.${i}`;
    for (const col of t.columns) {
      const td = document.createElement('td');
      const input = document.createElement('input');
      input.type = col.type || 'text';
      input.value = shown(getIn(item, col.key), col);
      input.dataset.path = `${name}.${i}.${col.key}`;
      input.dataset.key = col.key;
      input.setAttribute('aria-label', `${t.noun} ${i + 1} ${col.label}`);
      const problem = document.createElement('p');
      problem.className = 'problem';
      problem.id = `problem-${name}-${i}-${col.key.replace(/\./g, '-')}`;
      problem.hidden = true;
      td.append(input, problem);
      tr.append(td);
    }
    const actions = document.createElement('td');
    if (t.movable) {
      actions.append(rowButton('↑', `Move ${t.noun.toLowerCase()} ${i + 1} up`, () => move(name, i, -1), i === 0));
      actions.append(rowButton('↓', `Move ${t.noun.toLowerCase()} ${i + 1} down`, () => move(name, i, 1), i === items.length - 1));
    }
    actions.append(rowButton('Remove', `Remove ${t.noun.toLowerCase()} ${i + 1}`, () => remove(name, i)));
    tr.append(actions);
    tbody.append(tr);
  });
}

function rowButton(text, label, onClick, disabled = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'row-action';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/** The document the tables hold now. */
function readTable(name) {
  const t = TABLES[name];
  return [...$(t.body).querySelectorAll('tr')].map((tr) => {
    const item = name === 'routes' ? { match: {} } : {};
    for (const input of tr.querySelectorAll('input')) {
      const col = t.columns.find((c) => c.key === input.dataset.key);
      const value = parsed(input.value, col);
      if (value !== undefined) setIn(item, col.key, value);
    }
    return item;
  });
}
const readDocument = () => ({ recipients: readTable('recipients'), routes: readTable('routes'), reps: readTable('reps') });

function fill(doc) {
  for (const name of Object.keys(TABLES)) renderTable(name, doc[name] || []);
}
function remove(name, i) {
  const doc = readDocument();
  doc[name].splice(i, 1);
  fill(doc);
  clearProblems();
}
function move(name, i, by) {
  const doc = readDocument();
  const [item] = doc[name].splice(i, 1);
  doc[name].splice(i + by, 0, item);
  fill(doc);
  clearProblems();
}
function add(name, blank) {
  const doc = readDocument();
  doc[name].push(blank);
  fill(doc);
  const rows = $(TABLES[name].body).querySelectorAll('tr');
  rows[rows.length - 1]?.querySelector('input')?.focus();
}

function clearProblems() {
  for (const p of document.querySelectorAll('#routing-form .problem')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const input of document.querySelectorAll('#routing-form input[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  $('document-problems').replaceChildren();
}

/** The field a problem's path names, or the nearest thing that holds it (its row's first field, else the page). */
function targetOf(path) {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const el = document.querySelector(`#routing-form [data-path="${CSS.escape(parts.slice(0, n).join('.'))}"]`);
    if (!el) continue;
    if (el.tagName === 'INPUT') return el;
    if (el.tagName === 'TR') return el.querySelector('input');
    return null;
  }
  return null;
}

function showProblems(problems) {
  clearProblems();
  const loose = [];
  for (const p of problems) {
    const input = targetOf(p.path);
    if (!input) {
      loose.push(p);
      continue;
    }
    const note = input.nextElementSibling;
    note.textContent = note.textContent ? `${note.textContent} ${p.message}` : p.message;
    note.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', note.id);
  }
  if (loose.length) {
    const ul = document.createElement('ul');
    for (const p of loose) {
      const li = document.createElement('li');
      li.textContent = `${p.path}: ${p.message}`;
      ul.append(li);
    }
    $('document-problems').append(ul);
  }
  document.querySelector('#routing-form input[aria-invalid="true"]')?.focus();
}

function showVersion(cur) {
  $('routing-version').textContent =
    cur.version === 0
      ? 'Version 0: the routing the environment variables define. Saving makes version 1.'
      : `Version ${cur.version} is in force.`;
}

async function loadRouting() {
  const { status, body } = await api('/routing');
  if (status !== 200) {
    $('routing-version').textContent = `Could not load the routing (${status}).`;
    return;
  }
  showVersion(body);
  fill(body.routing);
}

async function loadHistory() {
  const { status, body } = await api('/routing/history');
  const tbody = $('history-body');
  tbody.replaceChildren();
  if (status !== 200) return;
  for (const h of body.history) {
    const tr = document.createElement('tr');
    tr.dataset.version = String(h.version);
    for (const text of [String(h.version), new Date(h.saved_at).toLocaleString(), h.source, h.summary]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tbody.append(tr);
  }
  if (!body.history.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 4;
    td.className = 'muted';
    td.textContent = 'No saved versions yet.';
    tr.append(td);
    tbody.append(tr);
  }
}

async function save(event) {
  event.preventDefault();
  const button = $('save-routing');
  button.disabled = true;
  const result = $('save-result');
  result.classList.remove('error');
  result.textContent = 'Saving…';
  try {
    const { status, body } = await api('/routing', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(readDocument()),
    });
    if (status === 200) {
      clearProblems();
      result.textContent = `Saved: version ${body.version} is in force.`;
      await Promise.all([loadRouting(), loadHistory()]);
      return;
    }
    result.classList.add('error');
    if (body && Array.isArray(body.problems)) {
      const n = body.problems.length;
      result.textContent = `Not saved: ${n} problem${n === 1 ? '' : 's'}, shown next to the fields. The version in force is unchanged.`;
      showProblems(body.problems);
    } else {
      result.textContent = `Not saved (${status}): ${body?.reason || 'unexpected answer'}`;
    }
  } catch (err) {
    result.classList.add('error');
    result.textContent = `Not saved: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

/** Whether an account's deals get our notes (the last notes meta check), in words. */
function noteWritesText(w) {
  if (!w) return 'not checked yet (checked at its first note)';
  return w.allowed ? 'written' : `cannot be written${w.reason ? `: ${w.reason}` : ''}`;
}

/* Linked accounts: the token is sent once and never shown again (the server never returns it). */
async function loadAccounts() {
  const { status, body } = await api('/accounts');
  const tbody = $('accounts-body');
  tbody.replaceChildren();
  if (status !== 200) {
    $('accounts-status').textContent = `Linked accounts are not available (${status}).`;
    return;
  }
  const fallback = body.fallback ? ` MERGE_ACCOUNT_TOKEN account: notes on deals ${noteWritesText(body.fallback.note_writes)}.` : '';
  $('accounts-status').textContent =
    (body.accounts.length ? '' : 'No linked accounts registered: MERGE_ACCOUNT_TOKEN serves every account.') + fallback;
  for (const a of body.accounts) {
    const tr = document.createElement('tr');
    for (const text of [a.linked_account_id, a.label || '', new Date(a.created_at).toLocaleString(), noteWritesText(a.note_writes)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement('td');
    td.append(
      rowButton('Remove', `Remove account ${a.linked_account_id}`, async () => {
        const res = await api(`/accounts/${encodeURIComponent(a.linked_account_id)}`, { method: 'DELETE' });
        $('account-result').textContent =
          res.status === 204 ? `Removed ${a.linked_account_id}.` : `Not removed (${res.status}): ${res.body?.reason || ''}`;
        await loadAccounts();
      }),
    );
    tr.append(td);
    tbody.append(tr);
  }
}

async function addAccount(event) {
  event.preventDefault();
  const form = event.target;
  const data = {
    linked_account_id: form.linked_account_id.value.trim(),
    account_token: form.account_token.value,
    label: form.label.value.trim(),
  };
  const { status, body } = await api('/accounts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  const out = $('account-result');
  // The token field is emptied either way: it is never kept or shown on the page.
  form.account_token.value = '';
  if (status === 201) {
    out.classList.remove('error');
    out.textContent = `Added ${data.linked_account_id}. Its token is stored encrypted and will not be shown again.`;
    form.linked_account_id.value = '';
    form.label.value = '';
  } else {
    out.classList.add('error');
    out.textContent = `Not added (${status}): ${body?.reason || ''}`;
  }
  await loadAccounts();
}

document.addEventListener('DOMContentLoaded', () => {
  $('routing-form').addEventListener('submit', save);
  $('add-recipient').addEventListener('click', () => add('recipients', { timezone: 'UTC' }));
  $('add-route').addEventListener('click', () => add('routes', { match: {}, call: [] }));
  $('add-rep').addEventListener('click', () => add('reps', {}));
  $('account-form').addEventListener('submit', addAccount);
  void loadRouting();
  void loadHistory();
  void loadAccounts();
});
