// The goal tile of a journey: attained / target with a progress bar, rate, holdout lift. Every
// field may be missing (shown as "—").
import { isNumber, num, pct, points, targetText, text } from '../format.js';

export { targetText };

// target_progress is a fraction (1 = target met); the bar stops at 100%.
export function GoalTile({ goal, compact }) {
  if (!goal) return <div class="goal-tile goal-none" data-testid="goal-tile">No goal set</div>;
  const progress = isNumber(goal.target_progress) ? goal.target_progress : null;
  const lift = goal.lift && typeof goal.lift === 'object' ? goal.lift : null;
  return (
    <div class={`goal-tile${compact ? ' compact' : ''}`} data-testid="goal-tile">
      <div class="goal-type">{text(goal.type).replaceAll('_', ' ')}</div>
      <div class="goal-main">
        <span data-testid="goal-attained">{num(goal.attained)}</span> attained
        <span class="muted"> · target <span data-testid="goal-target">{targetText(goal.target)}</span></span>
      </div>
      {progress !== null && (
        <div class="progress" role="progressbar" aria-label="Progress to the target" aria-valuemin="0" aria-valuemax="100"
          aria-valuenow={Math.round(Math.min(progress, 1) * 100)}>
          <div class={`progress-bar${progress >= 1 ? ' met' : ''}`} style={{ width: `${Math.min(progress, 1) * 100}%` }} />
        </div>
      )}
      <div class="goal-nums">
        <span>rate <strong data-testid="goal-rate">{pct(goal.rate)}</strong></span>
        {progress !== null && <span> · <span data-testid="goal-progress">{pct(progress, 0)}</span> of target</span>}
        <span> · lift over holdout <strong data-testid="goal-lift">{lift ? points(lift.absolute) : '—'}</strong>
          {lift && isNumber(lift.relative) && <span class="muted"> ({lift.relative >= 0 ? '+' : ''}{(lift.relative * 100).toFixed(0)}%)</span>}
          {lift && typeof lift.significant === 'boolean' && <span class="muted">{lift.significant ? ', significant' : ', not significant yet'}</span>}
        </span>
      </div>
    </div>
  );
}
