// The funnel page's controls: window, order, entry mode, date range, breakdown, segment, trend
// unit. Every change rewrites the route's query, so a view is a link and the back button works.

const WINDOWS = ['1h', '1d', '3d', '7d', '14d', '30d'];
const ORDERS = [
  ['ordered', 'Ordered (other events may come between)'],
  ['strict', 'Strict (each step right after the previous)'],
  ['any', 'Any order'],
];
const ENTRIES = [
  ['any_attempt', 'Best attempt'],
  ['first_entry', 'First entry only'],
  ['each_attempt', 'Every attempt'],
];
const BREAKDOWNS = ['context.campaign.source', 'context.device.type', 'properties.platform', 'traits.country', 'traits.plan'];

function Select({ id, label, value, onChange, options, first }) {
  return (
    <div class="control">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {first && <option value="">{first}</option>}
        {options.map(([v, text]) => (
          <option value={v}>{text}</option>
        ))}
      </select>
    </div>
  );
}

export function FunnelControls({ query, funnels, funnelId, segments, onFunnel, onChange, defaults }) {
  const set = (key) => (value) => onChange({ ...query, [key]: value });
  return (
    <form class="controls card" aria-label="Funnel settings" onSubmit={(e) => e.preventDefault()}>
      <Select id="f-funnel" label="Funnel" value={funnelId} onChange={onFunnel}
        options={funnels.map((f) => [f.id, `${f.name || f.id} (v${f.version ?? '—'})`])} />
      <Select id="f-window" label="Conversion window" value={query.window || ''} onChange={set('window')}
        first={`As defined${defaults.window ? ` (${defaults.window})` : ''}`} options={WINDOWS.map((w) => [w, w])} />
      <Select id="f-order" label="Step order" value={query.order || ''} onChange={set('order')}
        first={`As defined${defaults.order ? ` (${defaults.order})` : ''}`} options={ORDERS} />
      <Select id="f-entry" label="Counting" value={query.entry || ''} onChange={set('entry')}
        first={`As defined${defaults.entry ? ` (${defaults.entry})` : ''}`} options={ENTRIES} />
      <div class="control">
        <label for="f-from">Entered from</label>
        <input id="f-from" type="date" value={query.from || ''} onChange={(e) => set('from')(e.currentTarget.value)} />
      </div>
      <div class="control">
        <label for="f-to">Entered until</label>
        <input id="f-to" type="date" value={query.to || ''} onChange={(e) => set('to')(e.currentTarget.value)} />
      </div>
      <div class="control">
        <label for="f-breakdown">Breakdown by</label>
        <input id="f-breakdown" list="f-breakdown-paths" value={query.breakdown || ''} placeholder="none, or e.g. traits.plan"
          onChange={(e) => set('breakdown')(e.currentTarget.value.trim())} />
        <datalist id="f-breakdown-paths">
          {BREAKDOWNS.map((b) => (
            <option value={b} />
          ))}
        </datalist>
      </div>
      <Select id="f-segment" label="Segment" value={query.segment || ''} onChange={set('segment')}
        first="All profiles" options={segments.map((s) => [s, s])} />
      <Select id="f-trend" label="Trend by" value={query.trend || 'day'} onChange={set('trend')}
        options={[['day', 'Entry day'], ['week', 'Entry week']]} />
    </form>
  );
}
