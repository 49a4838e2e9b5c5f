// The journey page's entry line and replay panel. The panel back-tests this journey on the stored
// events of a date range (POST /api/replay): alone, or as a programme with every other journey
// (the same-goal rule, frequency caps and cross-journey updates applied as live), or as a what-if
// of two stored versions (the goal-rate difference with its 95% interval). Nothing is sent.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Stat } from '../components/States.jsx';
import { DiffInterval } from '../components/Interval.jsx';
import { isNumber, list, num, pct, points, text } from '../format.js';

// How a journey admits people (GET /api/journeys/{id}'s `entry`), in a sentence.
export function entryText(entry) {
  const e = entry || {};
  if (e.funnel_step) {
    const f = e.funnel_step;
    return f.on === 'stalled'
      ? `Enters when someone stalls at step ${text(f.step)} of funnel ${text(f.funnel)}: still there ${text(f.after)} after reaching it.`
      : `Enters when someone reaches step ${text(f.step)} of funnel ${text(f.funnel)}.`;
  }
  if (e.event) return `Enters on the event ${text(e.event)}.`;
  if (e.segment) return `Enters the members of segment ${text(e.segment)}${e.join_later ? ', and those who join it later' : ' when it starts'}.`;
  return '';
}

const DAY = 24 * 3600e3;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

// One replayed journey's numbers: entries, exits, step counts, goal.
function ReplayNumbers({ r, testid }) {
  const t = r.totals || {};
  const g = r.goal;
  return (
    <div data-testid={testid}>
      <div class="stats">
        <Stat label="People entered" value={num(t.entered)} testid={`${testid}-entered`} />
        <Stat label="Entries" value={num(t.entries)} testid={`${testid}-entries`} />
        <Stat label="Completed" value={num(t.completed)} testid={`${testid}-completed`} />
        <Stat label="Exited" value={num(t.exited)} testid={`${testid}-exited`} />
        <Stat label="Would send" value={num(r.messages && r.messages.would_send)} testid={`${testid}-would-send`} />
        {g && <Stat label="Goal attained" value={num(g.attained)} testid={`${testid}-attained`} hint={`rate ${pct(g.rate)}`} />}
      </div>
      <div class="table-wrap">
        <table aria-label="Replayed steps">
          <thead><tr><th scope="col">Step</th><th scope="col" class="num">Inflow</th><th scope="col" class="num">Passed on</th><th scope="col">Exits</th></tr></thead>
          <tbody>
            {list(r.steps).map((s) => (
              <tr data-testid={`${testid}-step`} data-id={s.id}>
                <th scope="row">{text(s.name || s.id)}</th>
                <td class="num" data-testid="replay-step-inflow">{num(s.inflow)}</td>
                <td class="num">{num(s.passed_on)}</td>
                <td>{Object.entries(s.exits || {}).map(([k, v]) => `${k.replaceAll('_', ' ')}: ${num(v)}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ReplayPanel({ journey }) {
  const now = Date.now();
  const [from, setFrom] = useState(isoDay(now - 30 * DAY));
  const [to, setTo] = useState(isoDay(now + DAY));
  const [mode, setMode] = useState('alone');
  const versions = list(journey.versions).map((v) => v.version);
  const [va, setVa] = useState(versions.length > 1 ? versions[versions.length - 2] : versions[0]);
  const [vb, setVb] = useState(versions[versions.length - 1]);
  const [state, setState] = useState({ busy: false, error: null, result: null });
  const run = async (e) => {
    e.preventDefault();
    setState({ busy: true, error: null, result: null });
    const body = mode === 'whatif'
      ? { journey: journey.id, versions: [Number(va), Number(vb)], from, to }
      : mode === 'programme' ? { all: true, from, to } : { journeys: [journey.id], from, to };
    try {
      const result = await api('/api/replay', { method: 'POST', body });
      setState({ busy: false, error: null, result: { mode, data: result } });
    } catch (err) {
      setState({ busy: false, error: err.message, result: null });
    }
  };
  const res = state.result;
  const mine = res && res.mode !== 'whatif' ? list(res.data.journeys).find((r) => r.journey === journey.id) : null;
  return (
    <section class="card" aria-labelledby="replay-title" data-testid="replay-panel">
      <h2 id="replay-title">Replay</h2>
      <p class="muted small">Back-test this journey on the stored events of a range: what it would have done, nothing sent.</p>
      <form class="replay-form" onSubmit={run}>
        <label for="replay-from">From</label> <input id="replay-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />{' '}
        <label for="replay-to">To</label> <input id="replay-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />{' '}
        <label for="replay-mode">Replay</label>{' '}
        <select id="replay-mode" data-testid="replay-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
          <option value="alone">this journey</option>
          <option value="programme">with every other journey</option>
          {versions.length > 1 && <option value="whatif">two versions (what-if)</option>}
        </select>{' '}
        {mode === 'whatif' && (
          <>
            <label for="replay-va">Version</label>{' '}
            <select id="replay-va" data-testid="replay-va" value={va} onChange={(e) => setVa(e.currentTarget.value)}>{versions.map((v) => <option value={v}>{v}</option>)}</select>{' '}
            <label for="replay-vb">against</label>{' '}
            <select id="replay-vb" data-testid="replay-vb" value={vb} onChange={(e) => setVb(e.currentTarget.value)}>{versions.map((v) => <option value={v}>{v}</option>)}</select>{' '}
          </>
        )}
        <button type="submit" class="primary" data-testid="replay-run" disabled={state.busy}>{state.busy ? 'Replaying…' : 'Replay'}</button>
      </form>
      {state.error && <p class="error-message" role="alert">Replay failed: {state.error}</p>}
      {res && res.mode !== 'whatif' && (
        <div role="status" data-testid="replay-result">
          <p class="muted small">{num(res.data.events_read)} stored events read, {num(res.data.events_used)} used
            {res.mode === 'programme' ? `, ${num(list(res.data.journeys).length)} journeys replayed together` : ''}.</p>
          {mine ? <ReplayNumbers r={mine} testid="replay" /> : <p class="muted">This journey was not replayed (is it applied?).</p>}
        </div>
      )}
      {res && res.mode === 'whatif' && (
        <div role="status" data-testid="replay-result">
          <div class="grid-2">
            <div><h3>Version {text(res.data.a.version)}</h3><ReplayNumbers r={res.data.a} testid="replay-a" /></div>
            <div><h3>Version {text(res.data.b.version)}</h3><ReplayNumbers r={res.data.b} testid="replay-b" /></div>
          </div>
          {isNumber(res.data.rate_difference) ? (
            <p>Goal rate, version {text(res.data.b.version)} minus version {text(res.data.a.version)}:{' '}
              <strong data-testid="replay-diff">{points(res.data.rate_difference)}</strong>{' '}
              <DiffInterval interval={res.data.difference_interval} value={res.data.rate_difference} testid="replay-diff-interval" /></p>
          ) : <p class="muted">This journey has no goal, so there is no goal-rate difference.</p>}
        </div>
      )}
    </section>
  );
}
