// A uPlot line chart of one or more series over time, sized to its container, with an accessible
// table of the same numbers under a <details>.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea'];

// x: epoch seconds; series: [{ label, values, format, scale? }] (format renders a value).
export function LineChart({ title, x, series, height = 220, testid }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el || x.length === 0) return undefined;
    const scales = { x: { time: true } };
    const axes = [{}];
    series.forEach((s, i) => {
      const scale = s.scale || 'y';
      if (!scales[scale]) {
        scales[scale] = { auto: true, range: s.range };
        axes.push({ scale, side: axes.length === 1 ? 3 : 1, size: 64, values: (u, vals) => vals.map((v) => (s.axisFormat || s.format)(v)), grid: { show: axes.length === 1 } });
      }
      s.color = COLORS[i % COLORS.length];
    });
    const opts = {
      width: Math.max(el.clientWidth, 240),
      height,
      scales,
      axes,
      legend: { show: true },
      series: [{}, ...series.map((s) => ({ label: s.label, scale: s.scale || 'y', stroke: s.color, width: 2, value: (u, v) => (v == null ? '—' : s.format(v)), points: { show: x.length < 40 } }))],
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 240), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, height]);
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption>{title}</figcaption>
      {x.length === 0 ? <p class="muted">No points in this range.</p> : <div ref={box} class="chart-box" role="img" aria-label={`${title}: line chart; the numbers are in the table below`} />}
      {x.length > 0 && (
        <details>
          <summary>Show the numbers</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  {series.map((s) => (
                    <th scope="col">{s.label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {x.map((t, i) => (
                  <tr data-testid={testid ? `${testid}-row` : undefined}>
                    <td>{new Date(t * 1000).toISOString().slice(0, 10)}</td>
                    {series.map((s) => (
                      <td class="num">{s.format(s.values[i])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
