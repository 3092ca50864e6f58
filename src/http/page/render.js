// DOM building for the status page. Every string from the agent (asset, line and sensor names,
// topics, payload bytes) becomes a text node: nothing here parses HTML, so nothing in a name runs.

/** An element with fixed attributes (never data) and children: nodes, or strings as text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child === null || child === undefined ? '' : String(child)));
  return node;
}

/** Replaces a table body's rows. */
export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => el('tr', {}, ...cells.map((cell) => (cell instanceof Node && cell.nodeName === 'TD' ? cell : el('td', {}, cell))))));
}

export function setText(node, text) {
  node.textContent = text;
}

const LEVELS = ['ok', 'warning', 'alarm'];

/** A level badge; its class comes from the fixed list above, never from the data. */
export function levelBadge(level) {
  const name = LEVELS.includes(level) ? level : 'unknown';
  return el('span', { class: `badge level-${name}` }, name);
}

const pad = (n) => String(n).padStart(2, '0');

/** Local date and time, to the second. */
export function formatTime(ms) {
  if (ms === null || ms === undefined) return '–';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 5400 → "1 h 30 min", 95 → "1 min 35 s". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '−' : '';
  if (s >= 86400) return `${sign}${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  if (s >= 3600) return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${sign}${Math.floor(s / 60)} min ${s % 60} s`;
  return `${sign}${s} s`;
}

export function formatNumber(value, digits = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** A definition list from [term, description] pairs. */
export function fillList(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([term, description]) => [el('dt', {}, term), el('dd', {}, description)]));
}
