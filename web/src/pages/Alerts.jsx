// Alerts (GET /api/alerts): incidents raised by step health (a funnel step's or a journey goal's
// volume or conversion fell below its usual level for these hours of the week), journeys whose
// sends fail, goals pacing behind their target, and schema drift. One row per problem; acknowledge,
// mute for a while, or resolve by hand (POST /api/alerts/{id}/ack, /mute, /resolve).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useApi } from '../components/useApi.js';
import { Empty, ErrorBox, Loading } from '../components/States.jsx';
import { date, num } from '../format.js';

const STATES = [
  ['open', 'Open'],
  ['all', 'All'],
  ['resolved', 'Resolved'],
];

// The definition an `affected` entry names, as a dashboard link ("funnel/signup#2", "journey/x").
function AffectedLink({ what }) {
  const [kind, rest] = what.split('/', 2);
  const id = (rest || '').split('#')[0];
  if (kind === 'funnel' && id) return <a href={`#/funnels/${encodeURIComponent(id)}`}>{what}</a>;
  if (kind === 'journey' && id) return <a href={`#/journeys/${encodeURIComponent(id)}`}>{what}</a>;
  return <code>{what}</code>;
}

function Incident({ a, onChanged }) {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const act = async (action, body) => {
    setBusy(action);
    setError('');
    try {
      await api(`/api/alerts/${a.id}/${action}`, { method: 'POST', body });
      onChanged();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy('');
    }
  };
  const resolved = a.state === 'resolved';
  return (
    <li class={`card alert-card alert-${a.severity}`} data-testid="alert" data-id={a.id} data-state={a.state}>
      <div class="alert-head">
        <span class="badge" data-testid="alert-state">{a.state}</span>
        <span class="badge">{a.severity}</span>
        <span class="badge">{a.kind.replaceAll('_', ' ')}</span>
        {a.muted && <span class="badge" data-testid="alert-muted">muted until {date(a.muted_until && a.muted_until.iso, true)}</span>}
      </div>
      <h2 class="alert-title" data-testid="alert-title">{a.title}</h2>
      <p>{a.detail}</p>
      {a.expected !== null && a.observed !== null && (
        <p class="muted">
          {num(a.observed)} observed against {num(a.expected)} expected over {a.window_hours} h
        </p>
      )}
      <p class="muted">
        Opened {date(a.opened_at.iso, true)}, last seen {date(a.last_seen_at.iso, true)}
        {a.acknowledged_at && <>, acknowledged {date(a.acknowledged_at.iso, true)} by {a.acknowledged_by}</>}
        {a.resolved_at && <>, resolved {date(a.resolved_at.iso, true)} by {a.resolved_by}</>}
        {a.affected.length > 0 && <> · affects {a.affected.map((x, i) => <>{i ? ', ' : ''}<AffectedLink what={x} /></>)}</>}
      </p>
      {!resolved && (
        <div class="alert-actions">
          {a.state === 'open' && (
            <button type="button" data-testid="alert-ack" disabled={busy !== ''} onClick={() => act('ack')}>
              {busy === 'ack' ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          )}
          <button type="button" data-testid="alert-mute" disabled={busy !== ''} onClick={() => act('mute', { for: a.muted ? '0s' : '4h' })}>
            {a.muted ? 'Unmute' : 'Mute 4 hours'}
          </button>
          <button type="button" disabled={busy !== ''} onClick={() => act('resolve')}>
            Resolve
          </button>
        </div>
      )}
      {error && <p class="error-message" role="alert">{error}</p>}
    </li>
  );
}

// The incidents list; `subject` limits it to one definition ("funnel/signup"), for the timeline on
// the funnel and journey pages.
export function AlertList({ state = 'open', subject, onEmpty }) {
  const res = useApi('/api/alerts', { state, subject });
  if (res.loading && !res.data) return <Loading what="alerts" />;
  if (res.error) return <ErrorBox error={res.error} what="alerts" onRetry={res.reload} />;
  const list = res.data ? res.data.incidents : [];
  if (list.length === 0) return onEmpty || null;
  return (
    <ul class="alert-list" data-testid="alert-list">
      {list.map((a) => <Incident key={a.id} a={a} onChanged={res.reload} />)}
    </ul>
  );
}

export function AlertsPage() {
  const [state, setState] = useState('open');
  const summary = useApi('/api/alerts', { state: 'open', limit: 1 });
  return (
    <section class="page" aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <p class="muted">
        Every hour signpost compares each funnel step's and journey goal's events with the same hours of the week
        over the last weeks, and raises one alert per problem: a step whose volume or conversion fell (often a renamed
        or removed event), a journey whose messages fail, a goal pacing behind its target. Sensitivity and where alerts
        are sent: <code>settings.alerts</code>.
        {summary.data && summary.data.last_evaluated_at && <> Last checked {date(summary.data.last_evaluated_at.iso, true)}.</>}
      </p>
      <div class="alert-filter" role="group" aria-label="Which alerts">
        {STATES.map(([value, label]) => (
          <button type="button" class={state === value ? 'primary' : ''} aria-pressed={state === value} onClick={() => setState(value)}>
            {label}
          </button>
        ))}
      </div>
      <AlertList
        state={state}
        onEmpty={
          <Empty title={state === 'open' ? 'No open alerts' : 'No alerts'}>
            <p>Nothing looks broken: every watched step and goal is within its usual range for this hour of the week.</p>
          </Empty>
        }
      />
    </section>
  );
}
