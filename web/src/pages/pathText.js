// A path sequence of GET /api/funnels/{id}/paths as text: "Browse → Docs → …" ("(nothing)" when
// the person did nothing in between). Plain JS so the browser tests format it the same way.
export function sequenceText(s) {
  const events = Array.isArray(s.events) ? s.events : [];
  if (!events.length) return s.more ? '…' : '(nothing)';
  return events.join(' → ') + (s.more ? ' → …' : '');
}
