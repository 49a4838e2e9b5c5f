// 95% intervals drawn as a bar on a 0..100% track (rates) or around zero (differences of rates),
// with the numbers beside them.
import { isNumber, pct, pointsRange } from '../format.js';

export function Interval({ interval, testid = 'interval' }) {
  const [lo, hi] = Array.isArray(interval) ? interval : [];
  if (!isNumber(lo) || !isNumber(hi)) return <span data-testid={testid}>—</span>;
  const clamp = (v) => Math.min(Math.max(v, 0), 1);
  return (
    <span class="interval">
      <span class="interval-track" aria-hidden="true">
        <span class="interval-range" style={{ left: `${clamp(lo) * 100}%`, width: `${Math.max((clamp(hi) - clamp(lo)) * 100, 0.5)}%` }} />
      </span>
      <span data-testid={testid}>{pct(lo)} – {pct(hi)}</span>
    </span>
  );
}

// A difference's interval around a zero line; the track spans ±(the larger end, at least 5 points).
export function DiffInterval({ interval, value, testid = 'diff-interval' }) {
  const [lo, hi] = Array.isArray(interval) ? interval : [];
  if (!isNumber(lo) || !isNumber(hi)) return <span data-testid={testid}>—</span>;
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 0.05);
  const x = (v) => ((v / scale + 1) / 2) * 100;
  const side = lo > 0 ? 'up' : hi < 0 ? 'down' : 'flat';
  return (
    <span class="interval">
      <span class="interval-track diff-track" aria-hidden="true">
        <span class="diff-zero" />
        <span class={`interval-range diff-${side}`} style={{ left: `${x(lo)}%`, width: `${Math.max(x(hi) - x(lo), 0.5)}%` }} />
        {isNumber(value) && <span class="diff-point" style={{ left: `${x(value)}%` }} />}
      </span>
      <span data-testid={testid}>{pointsRange(interval)}</span>
    </span>
  );
}
