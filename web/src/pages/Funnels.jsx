// Funnels: pick a stored funnel, set window/order/range/breakdown/segment, and read the goal-step
// chart, time to convert, trend and breakdown of GET /api/funnels/{id}/report.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { Empty, ErrorBox, Loading, Stat } from '../components/States.jsx';
import { LineChart } from '../components/LineChart.jsx';
import { list, num, pct, shortDur, text } from '../format.js';
import { route, setQuery } from '../router.js';
import { FunnelControls } from './FunnelControls.jsx';
import { StepBars } from './StepBars.jsx';
import { StepSegments } from './StepSegments.jsx';
import { AlertList } from './Alerts.jsx';
import { Drivers } from './Drivers.jsx';
import { Importance } from './Importance.jsx';
import { Paths } from './Paths.jsx';
import { reportQuery } from './funnelQuery.js';

export function FunnelsPage({ id, query }) {
  // GET /api/funnels: {"definitions":[{"kind","id","version","note","at","name","steps"}]};
  // GET /api/segments: {"segments":[{"name","type",...}]}.
  const funnels = useApi('/api/funnels');
  const segments = useApi('/api/segments');
  const defs = list(funnels.data && funnels.data.definitions).filter((f) => f && typeof f.id === 'string');
  const funnelId = id || (defs[0] && defs[0].id);
  if (funnels.loading) return <section class="page"><h1>Funnels</h1><Loading what="the funnels" /></section>;
  if (funnels.error) return <section class="page"><h1>Funnels</h1><ErrorBox error={funnels.error} what="the funnels" onRetry={funnels.reload} /></section>;
  if (!funnelId) {
    return (
      <section class="page">
        <h1>Funnels</h1>
        <Empty title="No funnels yet">
          <p>A funnel is a list of steps (events) people go through, such as Signed Up → Email Verified → First Order.
            Write one as YAML with <code>kind: funnel</code> and apply it with <code>signpost apply -f onboarding.yaml</code>
            (or POST it to <code>/api/definitions</code>), then reload this page.</p>
        </Empty>
      </section>
    );
  }
  const def = defs.find((f) => f.id === funnelId);
  if (!def) return <UnknownFunnel id={funnelId} funnels={defs} />;
  const segNames = list(segments.data && segments.data.segments).map((s) => s && s.name).filter((n) => typeof n === 'string' && n);
  return (
    <section class="page" aria-labelledby="funnel-title">
      <h1 id="funnel-title">Funnel: {def.name || funnelId}</h1>
      <FunnelReport key={funnelId} funnelId={funnelId} funnels={defs} segments={segNames} query={query} reloadSegments={segments.reload} />
    </section>
  );
}

// A route to a funnel the server does not have (a mistyped or old link): say so and offer the
// funnels it has.
function UnknownFunnel({ id, funnels }) {
  return (
    <section class="page" aria-labelledby="funnel-title">
      <h1 id="funnel-title">Funnels</h1>
      <section class="state state-error" role="alert" data-testid="unknown-funnel">
        <h2>No funnel “{id}”</h2>
        {funnels.length ? (
          <>
            <p>This server has no funnel with that id (the link may be mistyped, or the funnel was never applied). Pick one of its funnels:</p>
            <ul data-testid="known-funnels">
              {funnels.map((f) => (
                <li><a href={route(['funnels', f.id])}>{text(f.name || f.id)}</a> <span class="muted">({f.id})</span></li>
              ))}
            </ul>
          </>
        ) : (
          <p>This server has no funnels yet. Apply one with <code>signpost apply -f funnel.yaml</code> (<code>kind: funnel</code>), then open <a href="#/funnels">Funnels</a>.</p>
        )}
      </section>
    </section>
  );
}

const hasOverrides = (q) => Boolean(q.window || q.order || q.entry);

function FunnelReport({ funnelId, funnels, segments, query, reloadSegments }) {
  const rq = useMemo(() => reportQuery(query), [JSON.stringify(query)]);
  const report = useApi(`/api/funnels/${encodeURIComponent(funnelId)}/report`, rq);
  const r = report.data;
  // The definition's own settings (the list has none): learnt from a report without overrides and
  // kept while this funnel is open (the component is keyed by the funnel id).
  const [defaults, setDefaults] = useState({});
  useEffect(() => {
    if (r && !hasOverrides(query)) setDefaults({ window: shortDur(r.window_ms), order: r.order, entry: r.entry });
  }, [r]);
  const change = (q) => setQuery(['funnels', funnelId], q);
  return (
    <>
      <FunnelControls query={query} funnels={funnels} funnelId={funnelId} segments={segments}
        defaults={defaults}
        onFunnel={(f) => { location.hash = route(['funnels', f], {}); }} onChange={change} />
      {report.loading && <Loading what="the report" />}
      {report.error && (
        <ErrorBox error={report.error} what="the funnel report" onRetry={report.reload}
          hint={report.error.status === 400 ? 'A setting is not valid (the message says which); change it above.' : undefined} />
      )}
      {r && !report.error && <ReportBody r={r} reportKey={report.key} funnelId={funnelId} query={query} stale={report.loading} onSaved={reloadSegments} />}
    </>
  );
}

// `data-key` names the API call the numbers shown come from (the browser tests wait for it).
function ReportBody({ r, reportKey, funnelId, query, stale, onSaved }) {
  const steps = list(r.steps);
  return (
    <div class={stale ? 'stale' : ''} aria-busy={stale ? 'true' : 'false'} data-testid="funnel-report" data-key={reportKey}>
      <div class="stats" data-testid="funnel-summary">
        <Stat label="Entered" value={num(r.entered)} testid="funnel-entered" hint={r.unit === 'attempts' ? 'attempts' : 'profiles'} />
        <Stat label="Completed" value={num(r.completed)} testid="funnel-completed" />
        <Stat label="Conversion" value={pct(r.conversion)} testid="funnel-conversion" />
        <Stat label="Settings" value={`${shortDur(r.window_ms)} · ${text(r.order)}`} testid="funnel-settings"
          hint={`${text(r.entry)} · version ${text(r.version)}${r.segment ? ` · segment of ${num(r.segment.profiles)}` : ''}`} />
      </div>
      {r.entered === 0 ? (
        <Empty title="Nobody entered this funnel in this range">
          <p>No profile did the first step ({steps[0] ? steps[0].name : 'step 1'}) with these settings. Widen the date range,
            pick another segment, or check that events with this name arrive (<code>signpost events --count</code>).</p>
        </Empty>
      ) : (
        <>
          <StepBars steps={steps} funnelId={funnelId} query={query} onSaved={onSaved} />
          <StepSegments funnelId={funnelId} steps={steps} />
          <div class="grid-2">
            <TimeToConvert hist={r.time_to_convert} />
            <Completion rows={list(r.completion)} />
          </div>
          <Trend trend={r.trend} />
          <Breakdown b={r.breakdown} steps={steps} />
          <Paths key={`paths-${funnelId}`} funnelId={funnelId} steps={steps} query={query} />
          <Drivers key={funnelId} funnelId={funnelId} steps={steps} query={query} />
          <Importance key={`importance-${funnelId}`} funnelId={funnelId} steps={steps} query={query} />
        </>
      )}
      <section class="card" aria-labelledby="funnel-alerts-title" data-testid="funnel-alerts">
        <h2 id="funnel-alerts-title">Alerts</h2>
        <AlertList state="all" subject={`funnel/${funnelId}`}
          onEmpty={<p class="muted">No alerts on this funnel: its steps' volumes and conversions look as usual.</p>} />
      </section>
    </div>
  );
}

// Bucket labels of a histogram with edges [e0, e1, ...]: "<1m", "1m–5m", ..., "≥30d".
function bucketLabel(edges, i) {
  if (i === edges.length - 1) return `≥${shortDur(edges[i])}`;
  if (edges[i] === 0) return `<${shortDur(edges[i + 1])}`;
  return `${shortDur(edges[i])}–${shortDur(edges[i + 1])}`;
}

function TimeToConvert({ hist }) {
  const edges = list(hist && hist.edges_ms);
  const counts = list(hist && hist.counts);
  const max = Math.max(1, ...counts);
  const total = counts.reduce((s, c) => s + (c || 0), 0);
  return (
    <figure class="card chart" data-testid="ttc">
      <figcaption>Time to convert (first to last step)</figcaption>
      {total === 0 ? (
        <p class="muted">Nobody converted yet in this range, so there are no times to show.</p>
      ) : (
        <div class="hist" role="list" aria-label="Profiles by time to convert">
          {counts.map((c, i) => (
            <div class="hist-col" role="listitem" data-testid="ttc-bucket" aria-label={`${bucketLabel(edges, i)}: ${num(c)}`}>
              <span class="hist-count" data-testid="ttc-count">{num(c)}</span>
              <span class="hist-bar" style={{ height: `${(100 * (c || 0)) / max}%` }} />
              <span class="hist-label">{bucketLabel(edges, i)}</span>
            </div>
          ))}
        </div>
      )}
    </figure>
  );
}

function Completion({ rows }) {
  return (
    <section class="card" aria-labelledby="completion-title">
      <h2 id="completion-title">Completed within</h2>
      {rows.length === 0 ? <p class="muted">—</p> : (
        <table>
          <thead><tr><th scope="col">Window</th><th scope="col" class="num">Completed</th><th scope="col" class="num">Rate</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr data-testid="completion-row">
                <td data-testid="completion-window">{shortDur(c.window_ms)}</td>
                <td class="num"><span data-testid="completion-completed">{num(c.completed)}</span> / <span data-testid="completion-entered">{num(c.entered)}</span></td>
                <td class="num" data-testid="completion-rate">{pct(c.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">Measured from the first step, however long the funnel's window.</p>
    </section>
  );
}

function Trend({ trend }) {
  const points = list(trend && trend.points);
  const data = useMemo(() => {
    const x = points.map((p) => (typeof p.start_ms === 'number' ? p.start_ms : Date.parse(p.start)) / 1000);
    return {
      x,
      series: [
        { label: 'Conversion', values: points.map((p) => p.rate), format: (v) => pct(v), axisFormat: (v) => pct(v, 0), range: [0, 1] },
        { label: 'Entered', values: points.map((p) => p.entered), format: (v) => num(v), scale: 'count' },
        { label: 'Completed', values: points.map((p) => p.completed), format: (v) => num(v), scale: 'count' },
      ],
    };
  }, [points]);
  return (
    <div class="card">
      <LineChart title={`Conversion by entry ${trend && trend.unit === 'week' ? 'week' : 'day'}`} x={data.x} series={data.series} testid="trend" />
    </div>
  );
}

function Breakdown({ b, steps }) {
  if (!b) {
    return (
      <section class="card" aria-labelledby="bd-title">
        <h2 id="bd-title">Breakdown</h2>
        <p class="muted">Choose "Breakdown by" above (e.g. <code>context.campaign.source</code>) to compare conversion by a trait or an event property.</p>
      </section>
    );
  }
  const rows = list(b.rows);
  const best = Math.max(0.0001, ...rows.map((row) => row.conversion || 0));
  return (
    <section class="card" aria-labelledby="bd-title">
      <h2 id="bd-title">Breakdown by <code>{text(b.by)}</code> <span class="muted small">(value from the {text(b.attribution)} touch; top values, the rest as "other")</span></h2>
      {rows.length === 0 ? <p class="muted">No values.</p> : (
        <div class="table-wrap">
          <table data-testid="breakdown">
            <thead>
              <tr>
                <th scope="col">Value</th>
                {steps.map((s, i) => <th scope="col" class="num">{i + 1}. {s.name}</th>)}
                <th scope="col" class="num">Conversion</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr data-testid="breakdown-row">
                  <th scope="row">{text(row.value)}</th>
                  {steps.map((_, i) => <td class="num">{num(list(row.counts)[i])}</td>)}
                  <td class="num"><span class="mini-bar" style={{ width: `${Math.round(((row.conversion || 0) / best) * 60)}px` }} />{pct(row.conversion)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

