// Step segments on the funnel page: per required step k (before the last), how many people reached step k,
// not step k+1, and are stuck there for more than a chosen time, counted by the server now
// (GET /api/funnels/{id}/stuck); "Make this a live segment" applies a `kind: segment` definition
// with that `funnel:` rule (POST /api/definitions), which journeys can enter on or suppress, and
// links to it.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useApi } from '../components/useApi.js';
import { num, text } from '../format.js';
import { route } from '../router.js';

export const STUCK_FOR = ['1h', '12h', '1d', '2d', '3d', '7d', '14d', '30d'];

// A segment id for the rule: "onboarding-stuck-at-2-2d" (ids are 1-128 of [A-Za-z0-9._-]).
export function stuckSegmentId(funnelId, step, stuckFor) {
  return `${funnelId}-stuck-at-${step}-${stuckFor}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
}

function StuckLine({ funnelId, step, steps, stuckFor }) {
  const res = useApi(`/api/funnels/${encodeURIComponent(funnelId)}/stuck`, { step, for: stuckFor });
  const [made, setMade] = useState({ busy: false, error: null, segment: null });
  const s = res.data;
  const make = async () => {
    setMade({ busy: true, error: null, segment: null });
    const id = stuckSegmentId(funnelId, step, stuckFor);
    try {
      const applied = await api('/api/definitions', {
        method: 'POST',
        query: { note: `stuck at step ${step} of ${funnelId} for more than ${stuckFor} (dashboard)` },
        body: { kind: 'segment', id, description: `Stuck at step ${step} (${s.step_name}) of ${funnelId} for more than ${stuckFor}`, rule: s.rule },
      });
      setMade({ busy: false, error: null, segment: applied.name || applied.id || id });
    } catch (err) {
      setMade({ busy: false, error: err.message, segment: null });
    }
  };
  return (
    <li data-testid="stuck-line" data-step={step}>
      Reached step {step} ({text(steps[step - 1] && steps[step - 1].name)}), not step {step + 1} ({text(steps[step] && steps[step].name)}),
      stuck for more than {stuckFor}:{' '}
      {res.loading && <span class="muted">counting…</span>}
      {res.error && <span class="error-message" role="alert">{res.error.message}</span>}
      {s && !res.error && (
        <>
          <strong data-testid="stuck-count" data-key={res.key}>{num(s.people)}</strong> people{' '}
          {made.segment ? (
            <span role="status" data-testid="stuck-made">
              Live segment <a href={route(['funnels', funnelId], { segment: made.segment })} data-testid="stuck-segment-link">{made.segment}</a> applied
              (people join when they pass {stuckFor} at step {step} and leave when they reach step {step + 1}).
            </span>
          ) : (
            <button type="button" data-testid="make-stuck-segment" disabled={made.busy} onClick={make}>
              {made.busy ? 'Applying…' : 'Make this a live segment'}
            </button>
          )}
          {made.error && <span class="error-message" role="alert"> Not applied: {made.error}</span>}
        </>
      )}
    </li>
  );
}

export function StepSegments({ funnelId, steps }) {
  const [stuckFor, setStuckFor] = useState('2d');
  if (steps.length < 2) return null;
  return (
    <section class="card" aria-labelledby="stuck-title" data-testid="step-segments">
      <h2 id="stuck-title">Stuck at a step</h2>
      <p class="muted small">Counted now over everyone's events (the funnel's latest version, whatever the range above), as a live
        step segment would hold them.</p>
      <label for="stuck-for">Stuck for more than</label>{' '}
      <select id="stuck-for" data-testid="stuck-for" value={stuckFor} onChange={(e) => setStuckFor(e.currentTarget.value)}>
        {STUCK_FOR.map((d) => <option value={d}>{d}</option>)}
      </select>
      <ul class="stuck-lines">
        {steps.slice(0, -1).map((s, i) => (s && s.optional ? null : (
          <StuckLine key={`${i + 1}-${stuckFor}`} funnelId={funnelId} step={i + 1} steps={steps} stuckFor={stuckFor} />
        )))}
      </ul>
    </section>
  );
}
