// The report of one `channel: auto` message step (GET /api/journeys/{id}/channels/{step}, or an item
// of `channels` in GET /api/experiments): each channel's sends, conversions, rate with its 95%
// interval and share of the sends; the control (the default channel, control_share of the sends)
// against the optimized choices (Thompson sampling on goal conversions), and the lift.
import { isNumber, list, num, pct, points, share, signedPct, signedPctRange, text } from '../format.js';
import { route } from '../router.js';
import { DiffInterval, Interval } from './Interval.jsx';

function ChannelTable({ channels, label }) {
  const rows = list(channels).filter((c) => c && typeof c === 'object');
  if (!rows.length) return <p class="muted" data-testid="no-sends">No sends yet: people reach this step, get a channel, and appear here.</p>;
  const total = rows.reduce((a, c) => a + (isNumber(c.sent) ? c.sent : 0), 0);
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Channel</th><th scope="col" class="col-template">Template</th><th scope="col" class="num">Sent</th>
            <th scope="col" class="num">Converted</th><th scope="col" class="num">Rate</th><th scope="col">Interval</th>
            <th scope="col" class="num">Share of sends</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const s = share(c.sent, total);
            return (
              <tr data-testid="channel-row" data-channel={c.channel}>
                <th scope="row">{text(c.channel)}{c.default === true && <span class="badge default-badge" data-testid="channel-default">default</span>}</th>
                <td class="col-template"><code>{text(c.template)}</code></td>
                <td class="num" data-testid="channel-sent">{num(c.sent)}</td>
                <td class="num" data-testid="channel-converted">{num(c.converted)}</td>
                <td class="num" data-testid="channel-rate">{pct(c.rate)}</td>
                <td><Interval interval={c.interval} testid="channel-interval" /></td>
                <td class="num"><span class="mini-bar" style={{ width: `${Math.round((s || 0) * 60)}px` }} /><span data-testid="channel-share">{pct(s)}</span></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function GroupTable({ control, optimized, label }) {
  const groups = [['control', 'Control', 'default channel', control], ['optimized', 'Optimized', 'chosen per person', optimized]];
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Group</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Converted</th>
            <th scope="col" class="num">Rate</th><th scope="col">Interval</th>
          </tr>
        </thead>
        <tbody>
          {groups.map(([key, name, hint, g]) => {
            const v = g && typeof g === 'object' ? g : {};
            return (
              <tr data-testid="group-row" data-group={key}>
                <th scope="row">{name} <span class="muted small group-hint">({hint})</span></th>
                <td class="num" data-testid="group-sent">{num(v.sent)}</td>
                <td class="num" data-testid="group-converted">{num(v.converted)}</td>
                <td class="num" data-testid="group-rate">{pct(v.rate)}</td>
                <td><Interval interval={v.interval} testid="group-interval" /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function LiftLine({ lift }) {
  const l = lift && typeof lift === 'object' ? lift : {};
  return (
    <div class="lift" data-testid="channel-lift">
      <span>Lift of optimized over control: <strong data-testid="lift-absolute">{points(l.absolute)}</strong></span>
      <span class="lift-interval">95%: <DiffInterval interval={l.absolute_interval} value={l.absolute} testid="lift-interval" /></span>
      <span>relative <strong data-testid="lift-relative">{signedPct(l.relative)}</strong>
        <span class="muted"> (95%: <span data-testid="lift-relative-interval">{signedPctRange(l.relative_interval)}</span>)</span></span>
      <span class="muted" data-testid="lift-significant">
        {l.significant === true ? 'significant' : l.significant === false ? 'not significant yet' : ''}
      </span>
    </div>
  );
}

// One block of numbers: channels, control vs optimized, lift (the whole step, or one segment).
function Numbers({ r, label }) {
  return (
    <>
      <ChannelTable channels={r.channels} label={`Channels of ${label}`} />
      <GroupTable control={r.control} optimized={r.optimized} label={`Control and optimized of ${label}`} />
      <LiftLine lift={r.lift} />
    </>
  );
}

// `heading`: the element of the report's title (h2 on its own page, h3 inside a list).
export function ChannelReport({ report, heading: H = 'h3' }) {
  const r = report && typeof report === 'object' ? report : {};
  const name = `${text(r.journey)} / ${text(r.step)}`;
  const controlShare = isNumber(r.control_share) ? r.control_share : null;
  return (
    <section class="card channel-report" data-testid="channel-report" data-journey={r.journey} data-step={r.step}
      aria-label={`Channel optimization ${name}`}>
      <div class="journey-head">
        <H><a href={route(['journeys', r.journey || ''])}>{text(r.journey)}</a> · step <code>{text(r.step)}</code></H>
        <span class="badge">channel: auto</span>
      </div>
      <p class="muted small" data-testid="control-explainer">
        Control: <span data-testid="control-share">{pct(controlShare, 0)}</span> of the people who can get the default channel
        (<strong data-testid="control-default">{text(r.default)}</strong>) get it whatever the optimizer prefers; the others get the
        channel Thompson sampling picks per person from goal conversions, and the lift compares the two.
      </p>
      <Numbers r={r} label={name} />
      {list(r.segments).length > 0 && (
        <details class="channel-segments">
          <summary>By segment ({list(r.optimize_by_segment).join(', ') || list(r.segments).length})</summary>
          {list(r.segments).map((s) => (
            <section data-testid="channel-segment" data-segment={s && s.segment} aria-label={`Segment ${text(s && s.segment)}`}>
              <h4>Segment <code>{text(s && s.segment)}</code></h4>
              <Numbers r={s || {}} label={`${name}, segment ${text(s && s.segment)}`} />
            </section>
          ))}
        </details>
      )}
      {list(r.warnings).length > 0 && (
        <ul class="warnings" data-testid="channel-warnings">{list(r.warnings).map((w) => <li>{typeof w === 'string' ? w : JSON.stringify(w)}</li>)}</ul>
      )}
    </section>
  );
}
