// The status page: loads the agent's snapshot, draws it, and follows the live stream (Server-Sent
// Events). Read-only. Every value from the agent is set as text (render.js), never as HTML.
import { AssetPlot, coefficientChart } from './charts.js';
import { el, fillList, fillRows, formatBytes, formatDuration, formatNumber, formatTime, levelBadge, setText } from './render.js';

const $ = (id) => document.getElementById(id);

const page = {
  status: null,
  /** Server time minus browser time, so "3 s ago" does not depend on the browser's clock. */
  skew: 0,
  /** asset → its table row's cells; keyed by the name, never looked up by a selector built from it. */
  rows: new Map(),
  plots: new Map(),
  seen: {},
};

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

// ---- the snapshot ------------------------------------------------------------------------------

let loading = null;
let again = false;

/** Reloads the snapshot; calls that come while one is under way make one more afterwards. */
function reload() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = getJson('/api/status')
    .then(render)
    .catch((error) => setText($('live'), `cannot load the status: ${error.message}`))
    .finally(() => {
      loading = null;
      if (again) {
        again = false;
        void reload();
      }
    });
  return loading;
}

function render(status) {
  page.status = status;
  page.skew = status.now - Date.now();
  setText($('agent'), `${status.agent.id} · faultline ${status.agent.version}`);
  setBroker(status.broker.connected);
  const model = status.model;
  setText($('serving'), model ? `model ${model.version}` : 'no model yet');
  renderAssets(status);
  renderModel(model);
  renderVersions(status.models);
  renderTrack(status.track_record);
  renderIngest(status.ingest);
  renderSystem(status);
}

function setBroker(connected) {
  const broker = $('broker');
  broker.className = `pill ${connected ? 'good' : 'bad'}`;
  setText(broker, connected ? 'broker connected' : 'broker disconnected');
}

// ---- assets ------------------------------------------------------------------------------------

function renderAssets(status) {
  setText($('assets-empty'), status.assets.length === 0 ? 'No asset has sent telemetry yet.' : '');
  for (const asset of status.assets) {
    const row = rowOf(asset.asset, asset.line);
    if (asset.prediction) showPrediction(row, asset.prediction);
    else setText(row.why, asset.waiting ?? '');
    if (asset.seen_at !== null) page.seen[asset.asset] = asset.seen_at;
    plotOf(asset.asset, asset.line);
  }
  showSeen();
}

function rowOf(asset, line) {
  let row = page.rows.get(asset);
  if (row) return row;
  const cell = (className) => el('td', { class: className });
  row = { name: cell('asset'), line: cell('line'), level: cell('level'), risk: cell('risk'), ttf: cell('ttf'), at: cell('at'), seen: cell('seen'), why: cell('why') };
  row.name.append(asset);
  row.line.append(line ?? '');
  const tr = el('tr', { 'data-row': '' }, row.name, row.line, row.level, row.risk, row.ttf, row.at, row.seen, row.why);
  row.tr = tr;
  row.ts = null;
  $('assets').tBodies[0].append(tr);
  page.rows.set(asset, row);
  return row;
}

function showPrediction(row, p) {
  if (row.ts !== null && p.ts < row.ts) return;
  row.ts = p.ts;
  row.level.replaceChildren(levelBadge(p.level));
  setText(row.risk, `${Math.round(p.risk * 100)}%`);
  setText(row.ttf, formatDuration(p.time_to_fault_s));
  setText(row.at, formatTime(p.ts));
  // The event time of the newest prediction shown, for the browser test (a number, set as text).
  row.at.dataset.ts = String(p.ts);
  row.tr.className = `level-row-${['ok', 'warning', 'alarm'].includes(p.level) ? p.level : 'unknown'}`;
  setText(row.why, p.contributions.map((c) => `${c.feature} ${c.value > 0 ? '+' : ''}${formatNumber(c.value, 0)} s`).join(', ') || '–');
}

function showSeen() {
  const now = Date.now() + page.skew;
  for (const [asset, row] of page.rows) {
    const seen = page.seen[asset];
    setText(row.seen, seen === null || seen === undefined ? '–' : `${formatDuration((now - seen) / 1000)} ago`);
  }
}

// ---- plots -------------------------------------------------------------------------------------

function plotOf(asset, line) {
  if (page.plots.has(asset)) return page.plots.get(asset);
  const holder = el('div', { class: 'plot-area' });
  const card = el('figure', { class: 'plot' }, el('figcaption', { class: 'plot-title' }, line ? `${asset} · ${line}` : asset), holder);
  $('plots').append(card);
  const status = page.status;
  const plot = new AssetPlot(holder, { horizonS: status.model?.horizon_s ?? 0, levels: status.levels });
  page.plots.set(asset, plot);
  getJson(`/api/history?asset=${encodeURIComponent(asset)}`)
    .then((history) => plot.load(history))
    .catch((error) => console.warn(`history of one asset could not be loaded: ${error.message}`));
  return plot;
}

// ---- model and versions ------------------------------------------------------------------------

function renderModel(card) {
  const box = $('model');
  if (!card) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No model serves yet: faultline needs readings before faults (labelled history) and a training run.'));
    $('coefficients').replaceChildren();
    return;
  }
  const m = card.metrics ?? {};
  const metricsRow = (name, x) => [name, formatNumber(x?.rmse), formatNumber(x?.mae), formatNumber(x?.r2, 3), x?.n ?? '–'];
  const metrics = el('table', {}, el('thead', {}, el('tr', {}, ...['', 'RMSE s', 'MAE s', 'R²', 'samples'].map((h) => el('th', {}, h)))), el('tbody'));
  fillRows(metrics.tBodies[0], [
    metricsRow('this model', m.challenger),
    m.champion ? metricsRow(`previous champion (model ${m.champion.version})`, m.champion) : ['previous champion', 'none', '', '', ''],
    metricsRow('constant baseline', m.baseline),
  ]);
  const window = card.training_window;
  const facts = el('dl', { class: 'facts' });
  fillList(facts, [
    ['version', card.version ?? '–'],
    ['trained', card.trained_at ?? '–'],
    ['promotion', card.promotion ?? '–'],
    ['λ (ridge)', `${formatNumber(card.lambda, 3)}${card.lambda_selection ? ` (${card.lambda_selection.method})` : ''}`],
    ['training window', window ? `${formatTime(window.first_ts)} to ${formatTime(window.last_ts)}` : '–'],
    ['horizon, window', `${formatDuration(card.horizon_s)}, ${formatDuration(card.window_s)}`],
    ['samples', `${card.n_train ?? '–'} train, ${card.n_test ?? '–'} test${card.episodes ? ` (${card.episodes.train} and ${card.episodes.test} episodes)` : ''}`],
  ]);
  box.replaceChildren(facts, el('h3', {}, 'On the held-out test period'), metrics);
  if (m.note) box.append(el('p', { class: 'muted' }, m.note));
  coefficientChart($('coefficients'), card.features ?? []);
}

function renderVersions(models) {
  fillRows(
    $('versions').tBodies[0],
    models.map((v) => [
      v.version,
      v.status,
      formatTime(v.trained_at),
      formatNumber(v.rmse_s),
      formatNumber(v.baseline_rmse_s),
      v.champion_version === null ? 'none' : `model ${v.champion_version}: ${formatNumber(v.champion_rmse_s)}`,
      v.promoted ? 'promoted' : 'rejected',
      v.promotion ?? '',
    ]),
  );
}

// ---- track record ------------------------------------------------------------------------------

function renderTrack(t) {
  const warned = t.faults - t.missed;
  setText(
    $('track-summary'),
    t.faults === 0 && t.false_alarms === 0
      ? 'No fault or alarm judged yet: the record starts with the first fault after a model serves.'
      : `${t.faults} fault(s): ${warned} warned (mean ${formatDuration(t.mean_warning_lead_s)} before), ${t.faults - t.missed_alarm} alarmed (mean ${formatDuration(t.mean_alarm_lead_s)} before), ${t.missed} missed; ${t.false_alarms} false alarm(s).`,
  );
  fillRows(
    $('track').tBodies[0],
    t.by_asset.map((g) => [g.asset, g.line ?? '', g.model_version, g.faults, g.faults - g.missed, formatDuration(g.mean_warning_lead_s), g.faults - g.missed_alarm, formatDuration(g.mean_alarm_lead_s), g.missed, g.false_alarms, g.mae_s === null ? '–' : formatDuration(g.mae_s)]),
  );
  fillRows(
    $('track-recent').tBodies[0],
    t.recent.map((r) => [
      formatTime(r.ts),
      r.asset,
      r.model_version,
      r.kind === 'fault' ? (r.warning_lead_s === null ? 'fault, missed' : 'fault') : 'false alarm',
      r.kind === 'fault' ? (r.warning_lead_s === null ? 'missed' : formatDuration(r.warning_lead_s)) : '',
      r.kind === 'fault' ? (r.alarm_lead_s === null ? 'missed' : formatDuration(r.alarm_lead_s)) : '',
      r.mae_s === null ? '' : formatDuration(r.mae_s),
    ]),
  );
}

// ---- ingest and the agent ----------------------------------------------------------------------

function showRate(perSecond) {
  setText($('ingest-rate'), perSecond === null ? 'Readings stored per second: measuring…' : `Readings stored per second: ${formatNumber(perSecond, 1)}`);
}

function renderIngest(ingest) {
  showRate(ingest.readings_per_s);
  const reasons = Object.entries(ingest.rejected).sort((a, b) => b[1] - a[1]);
  fillRows($('rejected').tBodies[0], reasons.length === 0 ? [['nothing rejected', '']] : reasons);
  fillRows(
    $('dead-letters').tBodies[0],
    ingest.dead_letters.map((d) => [formatTime(d.received_at), d.reason, d.topic, d.detail ?? '', d.payload_bytes, el('td', {}, el('code', {}, d.payload_text))]),
  );
}

function renderSystem(s) {
  const b = s.buffer;
  const next = s.schedule.next_retrain;
  fillList($('system'), [
    ['broker', `${s.broker.url} (${s.broker.connected ? 'connected' : 'disconnected'})`],
    ['buffer', `${b.readings} readings of ${b.assets} assets, ${b.faults} faults, ${formatBytes(b.db_bytes)}`],
    ['write-ahead log', formatBytes(b.wal_bytes)],
    ['readings from', `${formatTime(b.oldest_ts)} to ${formatTime(b.newest_ts)}`],
    ['outbox', `${b.outbox} message(s) waiting for the broker`],
    ['next retrain', next === null ? `none scheduled (${s.schedule.retrain})` : `${formatTime(next)}, in ${formatDuration((next - s.now) / 1000)} (${s.schedule.retrain})`],
    ['last training', s.last_training ? `${s.last_training.at}: ${s.last_training.message}` : 'never'],
  ]);
}

// ---- live updates ------------------------------------------------------------------------------

function follow() {
  const events = new EventSource('/api/events');
  const live = $('live');
  events.addEventListener('open', () => {
    live.className = 'pill good';
    setText(live, 'live');
  });
  events.addEventListener('error', () => {
    live.className = 'pill bad';
    setText(live, 'reconnecting…');
  });
  events.addEventListener('predictions', (e) => {
    for (const p of JSON.parse(e.data)) {
      const row = rowOf(p.asset, p.line);
      showPrediction(row, p);
      plotOf(p.asset, p.line).add(p);
    }
  });
  events.addEventListener('faults', (e) => {
    for (const f of JSON.parse(e.data)) page.plots.get(f.asset)?.addFault(f.ts);
  });
  events.addEventListener('tick', (e) => {
    const tick = JSON.parse(e.data);
    page.skew = tick.now - Date.now();
    page.seen = tick.seen;
    setBroker(tick.mqtt_connected);
    showRate(tick.readings_per_s);
    showSeen();
  });
  // The model or the track record changed, or this page fell behind: the snapshot says it all.
  events.addEventListener('refresh', () => void reload());
  events.addEventListener('resync', () => void reload());
}

async function start() {
  await reload();
  follow();
  setInterval(() => {
    for (const plot of page.plots.values()) plot.redraw();
  }, 500);
  // Dead letters, buffer size and the rest change without an event: a fresh snapshot now and then.
  setInterval(() => void reload(), 15_000);
  window.addEventListener('resize', () => {
    for (const plot of page.plots.values()) plot.resize();
  });
}

void start();
