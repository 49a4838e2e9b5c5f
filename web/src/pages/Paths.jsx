// Paths panel of the funnel page: pick a step, read GET /api/funnels/{id}/paths — the most common
// event sequences between that step and the next (a path view), the people of each any_of path,
// and how completion differs with and without each optional step.
import { useState } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { ErrorBox, Loading } from '../components/States.jsx';
import { DiffInterval } from '../components/Interval.jsx';
import { list, num, pct, text } from '../format.js';
import { reportQuery } from './funnelQuery.js';
import { sequenceText } from './pathText.js';

function SequenceRow({ label, s, max, testid }) {
  return (
    <li class="path-row" data-testid={testid}>
      <span class="path-label" data-testid="path-events">{label}</span>
      <span class="bar-track path-track" aria-hidden="true"><span class="bar" style={{ width: `${max ? (s.people / max) * 100 : 0}%` }} /></span>
      <span class="path-nums"><strong data-testid="path-people">{num(s.people)}</strong> ({pct(s.share)}) · <span data-testid="path-conversion">{pct(s.conversion)}</span> on</span>
    </li>
  );
}

export function Paths({ funnelId, steps, query }) {
  const required = list(steps).map((s, i) => ({ ...s, n: i + 1 })).filter((s) => !s.optional);
  const choices = required.slice(0, -1);
  const [step, setStep] = useState(choices.length ? choices[0].n : 0);
  const [collapse, setCollapse] = useState(false);
  const rq = reportQuery(query);
  const path = step ? `/api/funnels/${encodeURIComponent(funnelId)}/paths` : null;
  const res = useApi(path, { step, collapse_repeats: collapse ? 'true' : '', window: rq.window, order: rq.order, entry: rq.entry, from: rq.from, to: rq.to, segment: rq.segment });
  const r = res.data;
  if (!choices.length) return null;
  const seqs = r ? list(r.sequences) : [];
  const max = Math.max(1, ...seqs.map((s) => s.people), r && r.other ? r.other.people : 0);
  return (
    <section class="card" aria-labelledby="paths-title" data-testid="paths">
      <h2 id="paths-title">Paths between steps</h2>
      <p class="muted small">What people did after a step: their events up to the next step (or the end of the window for
        those who stopped), the most common sequences first, and how many of each went on.</p>
      <label>From step{' '}
        <select value={step} data-testid="paths-step" onChange={(e) => setStep(Number(e.currentTarget.value))}>
          {choices.map((s) => <option value={s.n}>{s.n}. {s.name}</option>)}
        </select>
      </label>{' '}
      <label><input type="checkbox" checked={collapse} data-testid="paths-collapse" onChange={(e) => setCollapse(e.currentTarget.checked)} /> Read repeats as one</label>
      {res.loading && <Loading what="the paths" />}
      {res.error && <ErrorBox error={res.error} what="the paths" onRetry={res.reload} />}
      {r && !res.error && (
        <div data-testid="paths-report" data-key={res.key}>
          <p data-testid="paths-summary">{num(r.reached)} people reached {text(r.step_name)}; {num(r.converted)} went on to {text(r.next_name)} ({pct(r.rate)}).
            {' '}{num(r.distinct)} different sequences of up to {num(r.max_length)} events.</p>
          <ol class="paths-list">
            {seqs.map((s) => <SequenceRow label={sequenceText(s)} s={s} max={max} testid="path-row" />)}
            {r.other && r.other.people > 0 && <SequenceRow label="Other sequences" s={r.other} max={max} testid="path-other" />}
          </ol>
          {list(r.any_of).map((b) => (
            <div data-testid="anyof" data-step={b.step}>
              <h3>Step {b.step}. {text(b.name)}: {num(b.people)} people, by the path they took</h3>
              <div class="table-wrap"><table>
                <thead><tr><th scope="col">Path</th><th scope="col" class="num">People</th><th scope="col" class="num">Share</th>
                  <th scope="col" class="num">{b.next_step ? `On to ${text(b.next_name)}` : 'On'}</th><th scope="col" class="num">Completed</th></tr></thead>
                <tbody>
                  {list(b.alternatives).map((a) => (
                    <tr data-testid="anyof-row">
                      <th scope="row">{text(a.label)}</th>
                      <td class="num" data-testid="anyof-people">{num(a.people)}</td>
                      <td class="num">{pct(a.share)}</td>
                      <td class="num">{a.conversion === null ? '—' : pct(a.conversion)}</td>
                      <td class="num">{pct(a.completion)}</td>
                    </tr>
                  ))}
                </tbody>
              </table></div>
            </div>
          ))}
          {list(r.optional).length > 0 && (
            <div data-testid="optional">
              <h3>Optional steps and completion</h3>
              <div class="table-wrap"><table>
                <thead><tr><th scope="col">Optional step</th><th scope="col" class="num">Did it</th><th scope="col" class="num">Completed</th>
                  <th scope="col" class="num">Skipped it</th><th scope="col" class="num">Completed</th><th scope="col">Difference (95%)</th></tr></thead>
                <tbody>
                  {list(r.optional).map((e) => (
                    <tr data-testid="optional-row">
                      <th scope="row">{e.step}. {text(e.name)} <span class="muted small">(after {text(e.after_name)})</span></th>
                      <td class="num" data-testid="optional-with">{num(e.with)}</td>
                      <td class="num" data-testid="optional-rate-with">{pct(e.rate_with)}</td>
                      <td class="num">{num(e.without)}</td>
                      <td class="num">{pct(e.rate_without)}</td>
                      <td><DiffInterval interval={e.difference_interval} value={e.difference} testid="optional-diff" /></td>
                    </tr>
                  ))}
                </tbody>
              </table></div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
