// One journey: totals, the goal (attained over time, holdout and lift, by variant and channel),
// and the step graph with per-step analytics (GET /api/journeys/{id} and /api/journeys/{id}/goal);
// a `channel: auto` message step links to its channel optimization (pages/Channels.jsx); how it
// admits people, and a replay panel (pages/JourneyReplay.jsx).
import { AlertList } from './Alerts.jsx';
import { useMemo } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { Empty, ErrorBox, Loading, Stat } from '../components/States.jsx';
import { GoalTile, targetText } from '../components/GoalTile.jsx';
import { LineChart } from '../components/LineChart.jsx';
import { StepGraph } from '../components/StepGraph.jsx';
import { isNumber, list, num, pct, text } from '../format.js';
import { StateBadge } from './Journeys.jsx';
import { route } from '../router.js';
import { ReplayPanel, entryText } from './JourneyReplay.jsx';

function ObjectTable({ rows, label }) {
  const items = list(rows).filter((r) => r && typeof r === 'object');
  if (!items.length) return null;
  // Plain columns only (intervals and nested objects are left out), names first, then numbers.
  const cols = [...new Set(items.flatMap((r) => Object.keys(r)))]
    .filter((k) => typeof items[0][k] !== 'object' || items[0][k] === null)
    .sort((a, b) => Number(isNumber(items[0][a])) - Number(isNumber(items[0][b])));
  const cell = (k, v) => (isNumber(v) ? (k === 'rate' || k === 'share' || k.endsWith('_rate') ? pct(v) : num(v)) : text(v));
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead><tr>{cols.map((c) => <th scope="col">{c.replaceAll('_', ' ')}</th>)}</tr></thead>
        <tbody>{items.map((r) => <tr>{cols.map((c) => <td class={isNumber(r[c]) ? 'num' : ''}>{cell(c, r[c])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}

// Exits by reason: "reentry blocked: 12, excluded: 3", or "none".
function ExitList({ exits }) {
  const items = Object.entries(exits && typeof exits === 'object' ? exits : {}).filter(([, v]) => isNumber(v));
  if (!items.length) return <span class="muted">none</span>;
  return (
    <ul class="exits">
      {items.map(([k, v]) => (
        <li data-testid="step-exit" data-reason={k}>{k.replaceAll('_', ' ')}: <span data-testid="step-exit-count">{num(v)}</span></li>
      ))}
    </ul>
  );
}

function GoalSection({ id }) {
  const res = useApi(`/api/journeys/${encodeURIComponent(id)}/goal`, { trend: 'day' });
  const g = res.data;
  const chart = useMemo(() => {
    const pts = list(g && g.over_time);
    return {
      x: pts.map((p) => Date.parse(p.date) / 1000),
      series: [
        { label: 'Attained that day', values: pts.map((p) => p.attained), format: (v) => num(v) },
        ...(pts.some((p) => isNumber(p.cumulative_attained))
          ? [{ label: 'Attained in total', values: pts.map((p) => p.cumulative_attained), format: (v) => num(v), scale: 'total' }]
          : []),
      ],
    };
  }, [g]);
  if (res.loading) return <Loading what="the goal" />;
  if (res.error) return <ErrorBox error={res.error} what="the goal report" onRetry={res.reload} />;
  const tile = { type: g.goal && g.goal.type, attained: g.attained, rate: g.rate, target: g.target, target_progress: g.target_progress, lift: g.lift };
  const holdout = g.holdout || {};
  return (
    <section class="card" aria-labelledby="goal-title" data-testid="goal-report">
      <h2 id="goal-title">Goal</h2>
      <GoalTile goal={tile} />
      <div class="stats">
        <Stat label="Entered (treated)" value={num(g.entered)} testid="goal-entered" />
        <Stat label="Attained" value={num(g.attained)} />
        <Stat label="Target" value={targetText(g.target)} />
        <Stat label="Holdout rate" value={pct(holdout.rate)} testid="goal-holdout-rate" hint={`${num(holdout.attained)} of ${num(holdout.entered)}`} />
      </div>
      <LineChart title={`Attained over time (by ${g.over_time_unit === 'week' ? 'week' : 'day'})`} x={chart.x} series={chart.series} testid="attained-chart" />
      {list(g.by_variant).length > 0 && <><h3>By variant</h3><ObjectTable rows={g.by_variant} label="Goal by variant" /></>}
      {list(g.by_channel).length > 0 && <><h3>By channel</h3><ObjectTable rows={g.by_channel} label="Goal by channel" /></>}
    </section>
  );
}

export function JourneyPage({ id }) {
  const res = useApi(`/api/journeys/${encodeURIComponent(id)}`);
  const j = res.data;
  return (
    <section class="page" aria-labelledby="journey-title">
      <p class="crumbs"><a href="#/journeys">← Journeys</a></p>
      <h1 id="journey-title">{j ? text(j.name || j.id) : id}</h1>
      {res.loading && <Loading what="the journey" />}
      {res.error && res.error.status === 404 && (
        <Empty title="No such journey">
          <p>The server has no journey <code>{id}</code> (the link may be mistyped, or the journey was never applied). Pick one on the <a href="#/journeys">Journeys</a> page.</p>
        </Empty>
      )}
      {res.error && res.error.status !== 404 && <ErrorBox error={res.error} what="the journey" onRetry={res.reload} />}
      {j && (
        <>
          <div class="journey-head">
            <StateBadge state={j.state} />
            <span class="muted">version {text(j.version)}</span>
          </div>
          {entryText(j.entry) && <p class="journey-entry" data-testid="journey-entry">{entryText(j.entry)}</p>}
          <div class="stats" data-testid="journey-totals">
            <Stat label="People entered" value={num(j.totals && j.totals.entered)} testid="total-entered" />
            <Stat label="Entries (with re-entries)" value={num(j.totals && j.totals.entries)} testid="total-entries" />
            <Stat label="In progress" value={num(j.totals && j.totals.in_progress)} testid="total-in-progress" />
            <Stat label="Completed" value={num(j.totals && j.totals.completed)} testid="total-completed" />
            <Stat label="Exited" value={num(j.totals && j.totals.exited)} testid="total-exited" />
          </div>
          {j.goal ? <GoalSection id={id} /> : (
            <Empty title="No goal">
              <p>This journey measures no goal. Add a <code>goal:</code> (say, <code>type: drive_purchase</code> with a target) to its
                definition and apply it again with <code>signpost apply -f journey.yaml</code> to see attained, rate and lift here.</p>
            </Empty>
          )}
          <section class="card" aria-labelledby="graph-title">
            <h2 id="graph-title">Steps</h2>
            <StepGraph steps={list(j.steps)} />
            <div class="table-wrap">
              <table data-testid="step-table">
                <thead>
                  <tr><th scope="col">Step</th><th scope="col">Type</th><th scope="col" class="num">Inflow</th><th scope="col" class="num">In progress</th>
                    <th scope="col" class="num">Passed on</th><th scope="col">Exits by reason</th></tr>
                </thead>
                <tbody>
                  {list(j.steps).map((s) => (
                    <tr data-testid="step-row" data-id={s.id}>
                      <th scope="row">
                        {text(s.name || s.id)}
                        {s.channel === 'auto' && (
                          <div><a href={route(['journeys', id, 'channels', String(s.id)])} data-testid="step-channels-link">Channel optimization →</a></div>
                        )}
                      </th>
                      <td>{text(s.type)}{s.channel === 'auto' && <span class="muted"> (channel: auto)</span>}</td>
                      <td class="num" data-testid="step-inflow">{num(s.inflow)}</td>
                      <td class="num" data-testid="step-in-progress">{num(s.in_progress)}</td>
                      <td class="num" data-testid="step-passed-on">{num(s.passed_on)}</td>
                      <td data-testid="step-exits">
                        <ExitList exits={s.exits} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <ReplayPanel key={j.id} journey={j} />
          <section class="card" aria-labelledby="journey-alerts-title" data-testid="journey-alerts">
            <h2 id="journey-alerts-title">Alerts</h2>
            <AlertList state="all" subject={`journey/${j.id}`}
              onEmpty={<p class="muted">No alerts on this journey: its goal's volume, sends and pacing look as usual.</p>} />
          </section>
        </>
      )}
    </section>
  );
}
