// Loading, empty and error states: each says what is happening or what to do next.

export function Loading({ what }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ title, children }) {
  return (
    <section class="state state-empty" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

// `hint` explains what to do; 401 and unreachable errors get a standard one.
export function ErrorBox({ error, what, hint, onRetry }) {
  let help = hint;
  if (!help && error && error.status === 401) help = 'The admin token was refused: sign out and enter a valid one.';
  if (!help && error && error.status === 0) help = 'Start it with `make run` and retry.';
  return (
    <section class="state state-error" role="alert">
      <h2>Could not load {what}</h2>
      <p class="error-message">{error ? error.message : 'unknown error'}</p>
      {help && <p>{help}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </section>
  );
}

// A labelled number: the dashboard's tiles.
export function Stat({ label, value, hint, testid }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value" data-testid={testid}>
        {value}
      </div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

// The states of a page fed by one API call: loading, or an error with a retry button. Renders
// nothing once data is there.
export function LoadStates({ res, what }) {
  if (res.loading) return <Loading what={what} />;
  if (res.error) return <ErrorBox error={res.error} what={what} onRetry={res.reload} />;
  return null;
}
