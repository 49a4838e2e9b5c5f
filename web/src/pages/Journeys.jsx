// Journeys: every journey with its state, version, entered count and goal tile (GET /api/journeys).
import { useApi } from '../components/useApi.js';
import { Empty, LoadStates } from '../components/States.jsx';
import { GoalTile } from '../components/GoalTile.jsx';
import { list, num, text } from '../format.js';
import { route } from '../router.js';

export function StateBadge({ state }) {
  const s = typeof state === 'string' ? state : 'unknown';
  return <span class={`badge state-${s}`} data-testid="journey-state">{s}</span>;
}

export function JourneysPage() {
  const res = useApi('/api/journeys');
  const journeys = list(res.data && res.data.journeys);
  return (
    <section class="page" aria-labelledby="journeys-title">
      <h1 id="journeys-title">Journeys</h1>
      <LoadStates res={res} what="the journeys" />
      {res.data && journeys.length === 0 && (
        <Empty title="No journeys yet">
          <p>A journey sends messages to people who do something (say, abandon a cart) and measures a goal. Write one with
            <code> kind: journey</code>, apply it with <code>signpost apply -f journey.yaml</code> and set it live with
            <code> signpost journeys ID --state live</code>.</p>
        </Empty>
      )}
      {journeys.length > 0 && (
        <ul class="journey-list">
          {journeys.map((j) => (
            <li class="card journey-card" data-testid="journey" data-id={j.id}>
              <div class="journey-head">
                <h2><a href={route(['journeys', j.id])}>{text(j.name || j.id)}</a></h2>
                <StateBadge state={j.state} />
                <span class="muted">version <span data-testid="journey-version">{text(j.version)}</span></span>
              </div>
              <div class="journey-nums">
                <span><strong data-testid="journey-entered">{num(j.entered)}</strong> entered</span>
                <span><strong data-testid="journey-in-progress">{num(j.in_progress)}</strong> in progress</span>
              </div>
              <GoalTile goal={j.goal} compact />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
