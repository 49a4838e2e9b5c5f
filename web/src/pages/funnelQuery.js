// The report query of the page's controls (dates are whole UTC days).
export function reportQuery(q) {
  return {
    window: q.window,
    order: q.order,
    entry: q.entry,
    from: q.from ? `${q.from}T00:00:00Z` : '',
    to: q.to ? `${q.to}T23:59:59.999Z` : '',
    breakdown: q.breakdown,
    segment: q.segment,
    trend: q.trend || 'day',
    top: q.breakdown ? 8 : '',
    completion_windows: '1d,7d,14d,30d',
  };
}
