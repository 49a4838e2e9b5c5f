// Step importance panel of the funnel page: GET /api/funnels/{id}/importance — for each step taken
// as a milestone, the goal rate of the people who did it and of those who did not, and the
// logistic regression's coefficients with its held-out accuracy against the majority guess.
import { useState } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { ErrorBox, Loading } from '../components/States.jsx';
import { DiffInterval } from '../components/Interval.jsx';
import { list, num, pct, text } from '../format.js';
import { reportQuery } from './funnelQuery.js';

const coef = (v) => (typeof v === 'number' ? (v >= 0 ? '+' : '') + v.toFixed(2) : '—');

export function Importance({ funnelId, steps, query }) {
  const [asked, setAsked] = useState(false);
  const rq = reportQuery(query);
  const path = asked ? `/api/funnels/${encodeURIComponent(funnelId)}/importance` : null;
  const res = useApi(path, { window: rq.window, order: rq.order, entry: rq.entry, from: rq.from, to: rq.to, segment: rq.segment });
  if (list(steps).filter((s) => !s.optional).length < 2 || list(steps).length < 3) return null;
  const r = res.data;
  const g = r ? list(r.groups)[0] : null;
  return (
    <section class="card" aria-labelledby="importance-title" data-testid="importance">
      <h2 id="importance-title">Which steps predict the goal</h2>
      <p class="muted small">Each step between the first and the goal taken as a milestone done in any order: the goal rate
        with and without it, and a regularised logistic regression fitted on four people in five, scored on the fifth.</p>
      <button type="button" data-testid="importance-run" onClick={() => { setAsked(true); res.reload(); }}>Rank the steps</button>
      {res.loading && asked && <Loading what="the step importance" />}
      {res.error && <ErrorBox error={res.error} what="the step importance" onRetry={res.reload} />}
      {g && !res.error && (
        <div data-testid="importance-report" data-key={res.key}>
          <p data-testid="importance-summary">{num(g.entered)} entered, {num(g.reached_goal)} reached {text(r.goal_name)} ({pct(g.goal_rate)}).
            {' '}The model is right for <strong data-testid="importance-accuracy">{pct(g.accuracy)}</strong> of {num(g.test_people)} held-out people;
            {' '}always guessing the commoner outcome would be right for <span data-testid="importance-baseline">{pct(g.baseline)}</span>.</p>
          <div class="table-wrap">
            <table data-testid="importance-table">
              <thead><tr><th scope="col">Step</th><th scope="col" class="num">Did it</th><th scope="col" class="num">Goal rate with</th>
                <th scope="col" class="num">Without</th><th scope="col">Difference (95%)</th><th scope="col" class="num">Log-odds</th></tr></thead>
              <tbody>
                {list(g.steps).map((s) => (
                  <tr data-testid="importance-row">
                    <th scope="row" data-testid="importance-name">{s.step}. {text(s.name)}{s.optional ? ' (optional)' : ''}</th>
                    <td class="num">{num(s.with)}</td>
                    <td class="num" data-testid="importance-with">{pct(s.rate_with)}</td>
                    <td class="num" data-testid="importance-without">{pct(s.rate_without)}</td>
                    <td><DiffInterval interval={s.difference_interval} value={s.difference} testid="importance-diff" /></td>
                    <td class="num" data-testid="importance-coef">{coef(s.coefficient)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
