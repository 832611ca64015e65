// Pier's web console: one page, no dependencies. Credentials live in sessionStorage and go out as a
// Basic Authorization header on every /api call; the event streams are read with fetch() so they use
// the same header (EventSource cannot send one). X-Requested-With asks the broker to leave out the
// WWW-Authenticate challenge on a 401, which would open the browser's own login dialog.
'use strict';
const $ = (sel) => document.querySelector(sel);
const HISTORY = 60;
const POLL_MS = 2000;
const FEED_MAX = 500;
const state = { auth: sessionStorage.getItem('pier.auth'), user: sessionStorage.getItem('pier.user'), tab: 'overview',
  last: null, series: { in: [], out: [], conns: [] }, backlog: {}, tail: null, log: null, timer: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ''));
  return e;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function explain(status, message) {
  if (status === 401) return 'Wrong user name or password (401 Unauthorized)';
  if (status === 403) return 'This user has no admin grant in the ACL file (403 Forbidden)';
  return `${message} (${status})`;
}

// An empty user name is anonymous access (`http.allow_anonymous`): no Authorization header at all.
const headers = () => (state.auth ? { Authorization: 'Basic ' + state.auth, 'X-Requested-With': 'pier-console' }
                                   : { 'X-Requested-With': 'pier-console' });

async function api(method, path) {
  const r = await fetch(path, { method, headers: headers() });
  if (r.status === 204) return null;
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, explain(r.status, body.error || r.statusText));
  return body;
}

function showError(err) {
  const box = $('#error');
  // Success clears an error, not a notice (flash) that is still on its timer.
  if (!err) { if (box.className !== 'info') box.hidden = true; return; }
  box.className = '';
  box.textContent = err.message || String(err);
  box.hidden = false;
  if (err.status === 401) logout(err.message);
}

async function guarded(fn) {
  try { await fn(); showError(null); } catch (e) { showError(e); }
}

// ---- login

async function login(ev) {
  ev.preventDefault();
  const user = $('#login-user').value, password = $('#login-password').value;
  state.auth = user ? btoa(unescape(encodeURIComponent(user + ':' + password))) : '';
  try {
    await api('GET', '/api/broker');
  } catch (e) {
    state.auth = null;
    $('#login-error').textContent = e.message;
    return;
  }
  sessionStorage.setItem('pier.auth', state.auth);
  sessionStorage.setItem('pier.user', user);
  state.user = user;
  enter();
}

function enter() {
  $('#login').hidden = true;
  $('#login-error').textContent = '';
  $('#app').hidden = $('#tabs').hidden = $('#logout').hidden = false;
  $('#who').textContent = state.user || '';
  show(state.tab);
  poll();
  state.timer = setInterval(poll, POLL_MS);
}

function logout(reason) {
  clearInterval(state.timer);
  stopStream('tail');
  stopStream('log');
  sessionStorage.removeItem('pier.auth');
  state.auth = null;
  $('#app').hidden = $('#tabs').hidden = $('#logout').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = typeof reason === 'string' ? reason : '';
}

// ---- tabs and polling

function show(tab) {
  state.tab = tab;
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== tab;
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
  if (tab === 'connections') guarded(loadConnections);
  if (tab === 'queues') guarded(loadQueues);
  if (tab === 'bridges') guarded(loadBridges);
  if (tab === 'tail' && !state.log) startLog();
}

function poll() {
  guarded(async () => {
    await loadBroker();
    await loadBridges();
    if (state.tab === 'connections') await loadConnections();
    // Not while someone types a move target: the rows would be rebuilt under them.
    const typing = document.activeElement.closest('#queues-table') || [...document.querySelectorAll('.move-to')].some((i) => i.value);
    if (state.tab === 'queues' && !typing) await loadQueues();
  });
}

function push(series, value) {
  series.push(value);
  if (series.length > HISTORY) series.shift();
}

function sparkline(svg, values) {
  const w = 300, h = 60, max = Math.max(1, ...values);
  const step = w / (HISTORY - 1), x0 = w - step * (values.length - 1);
  const pts = values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 6)).toFixed(1)}`).join(' ');
  svg.replaceChildren();
  const ns = 'http://www.w3.org/2000/svg';
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts);
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', 4); label.setAttribute('y', 12);
  label.textContent = 'max ' + (Math.round(max * 10) / 10);
  svg.append(line, label);
}

function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
}

async function loadBroker() {
  const b = await api('GET', '/api/broker');
  const now = Date.now();
  if (state.last) {
    const dt = Math.max(0.001, (now - state.last.at) / 1000);
    push(state.series.in, Math.max(0, (b.messages_received - state.last.b.messages_received) / dt));
    push(state.series.out, Math.max(0, (b.messages_sent - state.last.b.messages_sent) / dt));
  }
  push(state.series.conns, b.connections);
  state.last = { at: now, b };
  const cards = [['Connections', b.connections], ['Sessions', b.sessions], ['Subscriptions', b.subscriptions],
    ['Retained', b.retained], ['Queues', b.queues], ['Received', b.messages_received], ['Sent', b.messages_sent],
    ['Queue enqueued', b.queue_enqueued], ['Queue acked', b.queue_acknowledged], ['Dead-lettered', b.queue_dead_lettered],
    ['HA role', b.ha_role], ['Store', b.data_dir], ['Uptime', duration(b.uptime_seconds)], ['Version', b.version]];
  $('#cards').replaceChildren(...cards.map(([k, v]) => el('div', { class: 'card', 'data-key': k }, el('span', {}, k), el('b', {}, v))));
  const rate = (s) => (s.length ? s[s.length - 1] : 0).toFixed(1);
  $('#rate-in').textContent = rate(state.series.in);
  $('#rate-out').textContent = rate(state.series.out);
  $('#now-conns').textContent = b.connections;
  sparkline($('#graph-in'), state.series.in);
  sparkline($('#graph-out'), state.series.out);
  sparkline($('#graph-conns'), state.series.conns);
  if (state.tab === 'overview') {
    const ls = await api('GET', '/api/listeners');
    $('#listeners tbody').replaceChildren(...ls.map((l) => el('tr', {}, el('td', {}, l.name), el('td', {}, l.protocol),
      el('td', {}, l.transport), el('td', {}, `${l.bind}:${l.port}`))));
  }
}

// ---- connections

// connected_since and started_at come from the same broker clock, so their difference is exact
// whatever that clock's epoch is.
function age(since) {
  const b = state.last && state.last.b;
  if (!b) return '';
  return duration(Math.max(0, Math.round((b.started_at + b.uptime_seconds * 1000 - since) / 1000)));
}

async function loadConnections() {
  const cs = await api('GET', '/api/connections');
  $('#connections-table tbody').replaceChildren(...cs.map((c) => el('tr', { 'data-id': c.id },
    el('td', {}, c.id), el('td', {}, c.protocol), el('td', {}, c.listener), el('td', {}, c.remote_address ?? ''),
    el('td', {}, c.client_id ?? ''), el('td', {}, c.user ?? ''), el('td', {}, age(c.connected_since)),
    el('td', {}, el('button', { class: 'close danger', onclick: () => closeConnection(c) }, 'Close')))));
}

function closeConnection(c) {
  if (!confirm(`Close connection ${c.id} (${c.client_id ?? c.protocol})?`)) return;
  guarded(async () => { await api('DELETE', `/api/connections/${c.id}`); await loadConnections(); });
}

// ---- queues

const q = (name) => encodeURIComponent(name);

async function loadQueues() {
  const qs = await api('GET', '/api/queues');
  $('#queues-table tbody').replaceChildren(...qs.map((row) => {
    const target = el('input', { class: 'move-to', placeholder: 'queue or original', size: 14 });
    return el('tr', { 'data-queue': row.name },
      el('td', { class: 'name' }, row.name), el('td', { class: 'depth' }, row.depth),
      el('td', {}, row.in_flight), el('td', {}, row.consumers),
      el('td', { class: 'actions' },
        el('button', { class: 'browse', onclick: () => guarded(() => browse(row.name)) }, 'Browse'),
        el('button', { class: 'purge danger', onclick: () => purge(row) }, 'Purge'),
        target, el('button', { class: 'move', onclick: () => move(row.name, target.value.trim()) }, 'Move')));
  }));
}

function purge(row) {
  if (!confirm(`Purge all ${row.depth} messages of ${row.name}?`)) return;
  guarded(async () => {
    const r = await api('DELETE', `/api/queues/${q(row.name)}/messages`);
    flash(`Purged ${r.purged} messages from ${row.name}`);
    await loadQueues();
  });
}

function move(name, to) {
  if (!to) { showError(new Error('Type a target queue, or "original" to send dead letters back')); return; }
  guarded(async () => {
    const r = await api('POST', `/api/queues/${q(name)}/move?to=${q(to)}`);
    flash(`Moved ${r.moved} messages from ${name} to ${to}`);
    await loadQueues();
  });
}

async function browse(name) {
  const ms = await api('GET', `/api/queues/${q(name)}/messages?limit=100`);
  $('#browse-name').textContent = name;
  $('#queue-messages tbody').replaceChildren(...ms.map((m) => el('tr', {},
    el('td', {}, m.id ?? ''), el('td', { class: 'payload' }, m.payload ?? `base64:${m.payload_base64}`),
    el('td', {}, m.persistent ? 'yes' : 'no'), el('td', {}, m.priority), el('td', {}, m.redelivery_count),
    el('td', {}, Object.entries(m.properties).map(([k, v]) => `${k}=${v}`).join(', ')))));
  $('#queue-messages').hidden = false;
}

function flash(text) {
  const box = $('#error');
  box.textContent = text;
  box.className = 'info';
  box.hidden = false;
  setTimeout(() => { box.hidden = true; box.className = ''; }, 4000);
}

// ---- bridges

async function loadBridges() {
  const bs = await api('GET', '/api/bridges');
  for (const b of bs) push(state.backlog[b.name] ??= [], b.backlog_messages);
  if (state.tab !== 'bridges') return;
  $('#bridges-table tbody').replaceChildren(...bs.map((b) => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 300 60');
    svg.setAttribute('class', 'spark');
    sparkline(svg, state.backlog[b.name]);
    const verb = b.paused ? 'resume' : 'pause';
    return el('tr', { 'data-bridge': b.name }, el('td', {}, b.name), el('td', {}, b.connected ? 'yes' : 'no'),
      el('td', {}, b.connected_address ?? ''), el('td', { class: 'backlog' }, b.backlog_messages), el('td', {}, b.backlog_bytes),
      el('td', {}, b.forwarded), el('td', {}, b.dropped), el('td', {}, b.dead_lettered), el('td', {}, svg),
      el('td', {}, el('button', { class: verb, onclick: () => guarded(async () => {
        await api('POST', `/api/bridges/${q(b.name)}/${verb}`);
        await loadBridges();
      }) }, b.paused ? 'Resume' : 'Pause')));
  }));
}

// ---- event streams

// Reads a text/event-stream response: events are separated by a blank line, `data:` lines joined,
// comments (`: ...`) passed to onComment.
async function stream(path, controller, onEvent, onComment) {
  const r = await fetch(path, { headers: headers(), signal: controller.signal });
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw new ApiError(r.status, explain(r.status, body.error || r.statusText));
  }
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) onComment(line.slice(1).trim());
        else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
      }
      if (data.length) onEvent(JSON.parse(data.join('\n')));
    }
  }
}

function feed(list, item) {
  list.prepend(item);
  while (list.children.length > FEED_MAX) list.lastChild.remove();
}

function openStream(kind, path, status, onEvent) {
  stopStream(kind);
  const controller = new AbortController();
  state[kind] = controller;
  status.textContent = 'connecting…';
  stream(path, controller, onEvent, (c) => {
    if (c === 'open') status.textContent = 'live';
    else if (c.startsWith('dropped')) status.textContent = 'live (' + c + ')';
  }).then(() => { status.textContent = 'ended'; }, (e) => {
    if (controller.signal.aborted) return;
    status.textContent = 'failed';
    showError(e);
  }).finally(() => { if (state[kind] === controller) state[kind] = null; });
}

function stopStream(kind) {
  if (state[kind]) state[kind].abort();
  state[kind] = null;
}

const clock = (ms) => new Date(ms).toLocaleTimeString();

function startTail(ev) {
  ev.preventDefault();
  const filter = $('#tail-filter').value.trim() || '#';
  $('#tail-list').replaceChildren();
  $('#tail-start').disabled = true;
  $('#tail-stop').disabled = false;
  openStream('tail', '/api/tail?topic=' + q(filter), $('#tail-status'), (m) => {
    const body = m.payload ?? 'base64:' + m.payload_base64;
    feed($('#tail-list'), el('li', { 'data-topic': m.topic }, el('time', {}, clock(m.time)), el('b', { class: 'topic' }, m.topic),
      el('span', { class: 'meta' }, `qos ${m.qos}${m.retain ? ' retained' : ''}${m.truncated ? ` (${m.bytes} bytes, cut)` : ''}`),
      el('code', { class: 'payload' }, body)));
  });
}

function stopTail() {
  stopStream('tail');
  $('#tail-status').textContent = 'stopped';
  $('#tail-start').disabled = false;
  $('#tail-stop').disabled = true;
}

function startLog() {
  openStream('log', '/api/events', $('#log-status'), (r) => {
    const meta = Object.entries(r.metadata).map(([k, v]) => `${k}=${v}`).join(' ');
    feed($('#log-list'), el('li', { class: 'level-' + r.level }, el('time', {}, clock(r.time)), el('b', {}, r.level),
      el('span', { class: 'label' }, r.label), el('span', { class: 'message' }, r.message), el('span', { class: 'meta' }, meta)));
  });
}

// ---- wiring

document.addEventListener('DOMContentLoaded', () => {
  $('#login').addEventListener('submit', login);
  $('#logout').addEventListener('click', () => logout(''));
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => show(b.dataset.tab));
  $('#queues-refresh').addEventListener('click', () => guarded(loadQueues));
  $('#browse-close').addEventListener('click', () => { $('#queue-messages').hidden = true; });
  $('#tail-form').addEventListener('submit', startTail);
  $('#tail-stop').addEventListener('click', stopTail);
  if (state.auth !== null) enter();
});
