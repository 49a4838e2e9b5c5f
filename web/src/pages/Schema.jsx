// The Schema page: the event catalog (GET /api/catalog, searchable), the schema drift findings
// (GET /api/catalog/drift) and the tracking-plan violations of each event.
import { useState } from 'preact/hooks';
import { useApi } from '../components/useApi.js';
import { Empty, LoadStates } from '../components/States.jsx';
import { date, num, pct, text } from '../format.js';
import { setQuery } from '../router.js';

const KIND_LABEL = {
  likely_rename: 'Likely rename',
  event_stopped: 'Event stopped',
  type_change: 'Type changed',
  property_missing: 'Property missing',
  new_event: 'New event',
};

function Drift() {
  const res = useApi('/api/catalog/drift');
  const findings = (res.data && res.data.findings) || [];
  return (
    <section class="card" aria-labelledby="drift-title">
      <h2 id="drift-title">Schema drift</h2>
      <LoadStates res={res} what="the drift findings" />
      {res.data && findings.length === 0 && <p class="muted">No drift: no new, renamed or stopped events and no property changed type.</p>}
      {findings.length > 0 && (
        <ul class="drift-list">
          {findings.map((f) => (
            <li data-testid="drift-finding" key={f.key}>
              <span class={`badge drift-${text(f.kind)}`}>{KIND_LABEL[f.kind] || text(f.kind)}</span>{' '}
              <strong>{text(f.title)}</strong>
              {f.suggestion && <> — use <code data-testid="drift-suggestion">{f.suggestion}</code></>}
              <div class="muted small">{text(f.detail)} · since {date(f.first_detected, true)}</div>
              {(f.affected || []).length > 0 && (
                <div class="small">
                  Affects:{' '}
                  {f.affected.map((a, i) => (
                    <span key={i}>{i > 0 && ', '}{a.kind} <code>{a.id}</code> ({a.where})</span>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Types({ types }) {
  return (types || []).map((t, i) => (
    <span key={t.type}>{i > 0 && ', '}{t.type} {pct(t.share, 0)}</span>
  ));
}

function EventCard({ e }) {
  const [open, setOpen] = useState(false);
  const label = e.name ? e.name : `(${e.type})`;
  const violations = e.violations || [];
  return (
    <li class="catalog-event" data-testid="catalog-event">
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        <strong>{label}</strong>
      </button>{' '}
      <span class="muted small">{e.type} · {num(e.count)} events · {date(e.first_seen, true)} – {date(e.last_seen, true)}
        {(e.properties || []).length > 0 && ` · ${e.properties.length} ${e.properties.length === 1 ? 'property' : 'properties'}`}
        {(e.plans || []).length > 0 && ` · plan ${e.plans.join(', ')}`}
      </span>
      {violations.length > 0 && (
        <span class="badge state-failed" data-testid="violation-count">{num(violations.reduce((s, v) => s + v.count, 0))} violations</span>
      )}
      {open && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Property</th><th scope="col">Types</th><th scope="col" class="num">On</th><th scope="col">Examples</th><th scope="col">Last seen</th></tr>
            </thead>
            <tbody>
              {(e.properties || []).map((p) => (
                <tr key={p.path}>
                  <td><code>{p.path}</code></td>
                  <td><Types types={p.types} /></td>
                  <td class="num">{pct(p.presence, 0)}</td>
                  <td class="small">{(p.examples || []).join(', ')}</td>
                  <td class="small">{date(p.last_seen, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {(e.sources || []).length > 0 && (
            <p class="small muted">Sources: {e.sources.map((s) => `${s.library || 'unknown'} ${s.version}`.trim()).join(', ')}</p>
          )}
          {violations.length > 0 && (
            <ul class="small" aria-label="Plan violations">
              {violations.map((v, i) => (
                <li key={i} data-testid="violation">{text(v.message)} — plan <code>{v.plan}</code> v{v.version}, rule {v.rule}: {num(v.count)} ({num(v.blocked)} blocked)</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}

export function SchemaPage({ query }) {
  const search = (query && query.search) || '';
  const [value, setValue] = useState(search);
  const res = useApi('/api/catalog', search ? { search } : undefined);
  const events = (res.data && res.data.events) || [];
  const submit = (ev) => {
    ev.preventDefault();
    setQuery(['schema'], { search: value.trim() });
  };
  return (
    <section class="page" aria-labelledby="schema-title">
      <h1 id="schema-title">Schema</h1>
      <Drift />
      <section class="card" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Event catalog</h2>
        <form class="controls" role="search" onSubmit={submit}>
          <label for="catalog-search">Search events and properties</label>{' '}
          <input id="catalog-search" type="search" value={value} onInput={(ev) => setValue(ev.currentTarget.value)} placeholder="Order, properties.plan…" />{' '}
          <button type="submit">Search</button>
        </form>
        <LoadStates res={res} what="the event catalog" />
        {res.data && (res.data.plans || []).length > 0 && <p class="small muted">Tracking plans in force: {res.data.plans.join(', ')}</p>}
        {res.data && events.length === 0 && (
          <Empty title={search ? 'Nothing matches' : 'No events yet'}>
            <p>{search ? <>No event or property contains <code>{search}</code>.</> : <>Send events (<code>POST /v1/track</code>) or import a file; each name appears here with its properties.</>}</p>
          </Empty>
        )}
        {events.length > 0 && <ul class="catalog-list">{events.map((e) => <EventCard key={`${e.type}:${e.name}`} e={e} />)}</ul>}
      </section>
    </section>
  );
}
