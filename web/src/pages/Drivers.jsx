// Step drivers panel of the funnel page: pick a step, read GET /api/funnels/{id}/drivers — what
// goes with converting to the next step among the people who reached it (associations, not causes).
import { useState } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { ErrorBox, Loading } from '../components/States.jsx';
import { DiffInterval } from '../components/Interval.jsx';
import { list, num, pct, text } from '../format.js';
import { reportQuery } from './funnelQuery.js';

function candidate(d) {
  if (d.kind === 'event') return `did ${d.event}`;
  if (d.kind === 'property') return `${d.event}: ${d.path} = ${d.value}`;
  if (d.kind === 'trait') return `${d.path} = ${d.value}`;
  if (d.kind === 'segment') return `in segment ${d.value}`;
  if (d.kind === 'message') return `received ${d.event}`;
  return text(d.kind);
}

const ratio = (v) => (typeof v === 'number' ? v.toFixed(2) : '∞');

export function Drivers({ funnelId, steps, query }) {
  // Required steps that have a next required step.
  const required = list(steps).map((s, i) => ({ ...s, n: i + 1 })).filter((s) => !s.optional);
  const choices = required.slice(0, -1);
  const [step, setStep] = useState(choices.length ? choices[0].n : 0);
  const [asked, setAsked] = useState(false);
  const rq = reportQuery(query);
  const path = asked && step ? `/api/funnels/${encodeURIComponent(funnelId)}/drivers` : null;
  const res = useApi(path, { step, window: rq.window, order: rq.order, entry: rq.entry, from: rq.from, to: rq.to, segment: rq.segment });
  const r = res.data;
  if (!choices.length) return null;
  return (
    <section class="card" aria-labelledby="drivers-title" data-testid="drivers">
      <h2 id="drivers-title">Why people convert</h2>
      <p class="muted small">Among the people who reached a step: the events, received messages and values that go with
        converting to the next step (an association, not proof of cause), tested with Fisher's exact test and the
        Benjamini–Hochberg false-discovery rate.</p>
      <label>Step{' '}
        <select value={step} data-testid="drivers-step" onChange={(e) => { setStep(Number(e.currentTarget.value)); }}>
          {choices.map((s) => <option value={s.n}>{s.n}. {s.name}</option>)}
        </select>
      </label>{' '}
      <button type="button" data-testid="drivers-run" onClick={() => { setAsked(true); res.reload(); }}>Find drivers</button>
      {res.loading && asked && <Loading what="the drivers" />}
      {res.error && <ErrorBox error={res.error} what="the drivers" onRetry={res.reload} />}
      {r && !res.error && (
        <div data-testid="drivers-report" data-key={res.key}>
          <p data-testid="drivers-population">{text(r.population)}: {num(r.reached)} people, {num(r.converted)} reached {text(r.target_name)} ({pct(r.rate)}).
            {' '}{num(r.tested)} of {num(r.candidates)} candidates tested (at least {num(r.min_count)} people with and without), <strong>{num(r.significant)}</strong> significant at FDR {pct(r.fdr, 0)}.</p>
          {list(r.drivers).length === 0 ? <p class="muted">No candidate has enough people with and without it.</p> : (
            <div class="table-wrap">
              <table data-testid="drivers-table">
                <thead>
                  <tr><th scope="col">Candidate</th><th scope="col" class="num">People with</th><th scope="col" class="num">Rate with</th>
                    <th scope="col" class="num">Without</th><th scope="col">Difference (95%)</th><th scope="col" class="num">Odds ratio (95%)</th><th scope="col" class="num">q</th></tr>
                </thead>
                <tbody>
                  {list(r.drivers).map((d) => (
                    <tr data-testid="driver-row" class={d.significant ? '' : 'muted'}>
                      <th scope="row" data-testid="driver-name">{candidate(d)}{d.significant ? ' ★' : ''}</th>
                      <td class="num">{num(d.people_with)}</td>
                      <td class="num">{pct(d.rate_with)}</td>
                      <td class="num">{pct(d.rate_without)}</td>
                      <td><DiffInterval interval={d.difference_interval} value={d.difference} testid="driver-diff" /></td>
                      <td class="num">{ratio(d.odds_ratio)} [{ratio(list(d.odds_ratio_interval)[0])}, {ratio(list(d.odds_ratio_interval)[1])}]</td>
                      <td class="num">{typeof d.q_value === 'number' ? d.q_value.toPrecision(2) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
