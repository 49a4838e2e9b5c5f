// The goal-step chart: a bar per step with its count and conversion, and between two steps the
// drop-off with a button that saves the people who dropped there as a static segment
// (POST /api/funnels/{id}/people/segment).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { dur, num, pct, text } from '../format.js';
import { route } from '../router.js';
import { reportQuery } from './funnelQuery.js';

function SaveSegment({ funnelId, step, count, query, onSaved, onClose }) {
  const [name, setName] = useState(`${funnelId}-dropped-at-${step}`);
  const [state, setState] = useState({ busy: false, error: null, saved: null });
  const rq = reportQuery(query);
  // Keyboard users land in the form when it opens and on the result once saved.
  const input = useRef(null);
  const result = useRef(null);
  useEffect(() => { input.current?.focus(); }, []);
  useEffect(() => { if (state.saved) result.current?.focus(); }, [state.saved]);
  const save = async (e) => {
    e.preventDefault();
    if (!name.trim()) return setState({ busy: false, error: 'Give the segment a name.', saved: null });
    setState({ busy: true, error: null, saved: null });
    try {
      // The people the page counts: its window, order, entry mode, dates and segment filter;
      // `name` is the new segment's name.
      const saved = await api(`/api/funnels/${encodeURIComponent(funnelId)}/people/segment`, {
        method: 'POST',
        query: { name: name.trim(), window: rq.window, order: rq.order, entry: rq.entry, from: rq.from, to: rq.to, segment: rq.segment, dropped_at: step },
      });
      setState({ busy: false, error: null, saved });
      onSaved && onSaved();
    } catch (err) {
      setState({ busy: false, error: err.message, saved: null });
    }
  };
  if (state.saved) {
    const s = state.saved;
    return (
      <div class="save-result" role="status" data-testid="segment-saved" tabIndex={-1} ref={result}>
        Saved segment <strong>{text(s.segment)}</strong> with <strong data-testid="segment-members">{num(s.members)}</strong> people (version {text(s.version)}).{' '}
        <a href={route(['funnels', funnelId], { ...query, segment: s.segment })}>Show this funnel for them</a>{' '}
        <button type="button" class="link" onClick={onClose}>Close</button>
      </div>
    );
  }
  return (
    <form class="save-form" onSubmit={save} aria-label={`Save the people who dropped at step ${step}`}>
      <label for={`seg-name-${step}`}>Segment name</label>
      <input id={`seg-name-${step}`} ref={input} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit" class="primary" disabled={state.busy}>{state.busy ? 'Saving…' : `Save ${num(count)} people`}</button>
      <button type="button" onClick={onClose}>Cancel</button>
      {state.error && <p class="error-message" role="alert">Not saved: {state.error}</p>}
    </form>
  );
}

export function StepBars({ steps, funnelId, query, onSaved }) {
  const [open, setOpen] = useState(0);
  const max = Math.max(1, ...steps.map((s) => s.count || 0));
  return (
    <section class="card" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      <ol class="steps" data-testid="steps">
        {steps.map((s, i) => {
          const next = steps[i + 1];
          return (
            <>
              <li class="step" data-testid="step" data-step={i + 1}>
                <div class="step-head">
                  <span class="step-no" aria-hidden="true">{i + 1}</span>
                  <span class="step-name">{text(s.name)}</span>
                  {s.optional && <span class="badge">optional</span>}
                </div>
                <div class="bar-track" aria-hidden="true">
                  <div class="bar" style={{ width: `${(100 * (s.count || 0)) / max}%` }} />
                </div>
                <div class="step-nums">
                  <strong data-testid="step-count">{num(s.count)}</strong>{' '}
                  <span class="muted"><span data-testid="step-from-first">{pct(s.conversion_from_first)}</span> of entered</span>
                  {s.time_from_previous && (
                    <span class="muted small"> · from previous: median {dur(s.time_from_previous.median_ms)}, p90 {dur(s.time_from_previous.p90_ms)}</span>
                  )}
                </div>
              </li>
              {next && (
                <li class="drop" data-testid="dropoff" data-step={i + 1}>
                  <span class="drop-arrow" aria-hidden="true">↓</span>
                  <span><strong data-testid="step-from-previous">{pct(next.conversion_from_previous)}</strong> continue to step {i + 2}</span>
                  <span class="drop-lost">
                    <span data-testid="drop-count">{num(s.dropped)}</span> dropped (<span data-testid="drop-rate">{pct(s.dropoff_rate)}</span>)
                  </span>
                  {open !== i + 1 && (s.dropped || 0) > 0 && (
                    <button type="button" data-testid="save-dropped" onClick={() => setOpen(i + 1)}>
                      Save the {num(s.dropped)} who dropped at step {i + 1} as a segment
                    </button>
                  )}
                  {open === i + 1 && (
                    <SaveSegment funnelId={funnelId} step={i + 1} count={s.dropped} query={query} onSaved={onSaved} onClose={() => setOpen(0)} />
                  )}
                </li>
              )}
            </>
          );
        })}
      </ol>
    </section>
  );
}
