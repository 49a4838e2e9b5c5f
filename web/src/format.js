// Formatting for display. Every function shows "—" for a missing or non-numeric value, so a field
// the server does not send never breaks a page.
export const DASH = '—';

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// 12345 -> "12,345"
export function num(v) {
  return isNum(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : DASH;
}

// A fraction 0..1 -> "16.6%"
export function pct(v, digits = 1) {
  return isNum(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
}

// A difference of two rates -> "+5.2 pts"
export function points(v) {
  return isNum(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} pts` : DASH;
}

// Milliseconds -> "45s", "25.9m", "2.7h", "2.1d" (the CLI's units).
export function dur(ms) {
  if (!isNum(ms)) return DASH;
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${(s / 60).toFixed(1)}m`;
  if (s < 86400) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}

// A compact duration for bucket edges: 60000 -> "1m", 86400000 -> "1d".
export function shortDur(ms) {
  if (!isNum(ms)) return DASH;
  const units = [['d', 86400e3], ['h', 3600e3], ['m', 60e3], ['s', 1e3]];
  for (const [u, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${u}`;
  return dur(ms);
}

// An ISO 8601 time or epoch ms -> "2026-11-24" (dates) or "2026-11-24 08:15" (times), UTC.
export function date(v, withTime = false) {
  const d = new Date(typeof v === 'number' ? v : String(v ?? ''));
  if (v === null || v === undefined || Number.isNaN(d.getTime())) return DASH;
  const iso = d.toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

// The value at a dotted path of an object, or undefined.
export function at(obj, path) {
  let v = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

// Text of a value that should be a string or number; DASH for anything else.
export function text(v) {
  if (typeof v === 'string' && v !== '') return v;
  if (isNum(v)) return num(v);
  return DASH;
}

// A goal's target: "40% of entered" | "1,000 people" | "no target".
export function targetText(target) {
  if (!target || typeof target !== 'object') return 'no target';
  if (isNum(target.percent)) return `${target.percent}% of entered`;
  if (isNum(target.count)) return `${num(target.count)} people`;
  return 'no target';
}

// An experiment's decision: "Winner: discount" | "No winner yet" (running) | "No winner".
export function winnerText(e) {
  if (e && typeof e.winner === 'string' && e.winner) return `Winner: ${e.winner}`;
  if (e && e.state === 'running') return 'No winner yet';
  return 'No winner';
}

export const list = (v) => (Array.isArray(v) ? v : []);
export const isNumber = isNum;

// A 95% interval of a rate difference -> "-13.1 pts to +11.4 pts".
export function pointsRange(interval) {
  const [lo, hi] = Array.isArray(interval) ? interval : [];
  return isNum(lo) && isNum(hi) ? `${points(lo)} to ${points(hi)}` : DASH;
}

// A relative change (fraction) with its sign: 0.153 -> "+15.3%", -0.033 -> "-3.3%".
export function signedPct(v, digits = 1) {
  return isNum(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(digits)}%` : DASH;
}

// A relative interval (the upper end may be null: unbounded) -> "-18.3% to +14.5%" | "-18.3% to —".
export function signedPctRange(interval, digits = 1) {
  const [lo, hi] = Array.isArray(interval) ? interval : [];
  if (!isNum(lo) && !isNum(hi)) return DASH;
  return `${signedPct(lo, digits)} to ${signedPct(hi, digits)}`;
}

// Part of a total as a fraction, or null when the total is not a positive number.
export function share(part, total) {
  return isNum(part) && isNum(total) && total > 0 ? part / total : null;
}
