// Experiments: each split step's variants with rates, intervals, probability to be best, and the
// winner state; and each `channel: auto` message step's channel optimization (GET /api/experiments:
// `experiments` and `channels`).
import { useApi } from '../components/useApi.js';
import { Empty, LoadStates } from '../components/States.jsx';
import { ChannelReport } from '../components/ChannelReport.jsx';
import { Interval } from '../components/Interval.jsx';
import { isNumber, list, num, pct, text, winnerText } from '../format.js';
import { route } from '../router.js';

export function ExperimentsPage() {
  const res = useApi('/api/experiments');
  const exps = list(res.data && res.data.experiments);
  const channels = list(res.data && res.data.channels);
  return (
    <section class="page" aria-labelledby="exp-title">
      <h1 id="exp-title">Experiments</h1>
      <LoadStates res={res} what="the experiments" />
      {res.data && <h2 id="splits-title" class="section-title">A/B splits</h2>}
      {res.data && exps.length === 0 && (
        <Empty title={channels.length === 0 ? 'No experiments yet' : 'No A/B splits yet'}>
          <p>An experiment is a <code>split</code> step in a journey: 2 to 4 variants with weights. Add one to a journey,
            apply it and set the journey live; its variants appear here as people go through.</p>
        </Empty>
      )}
      {exps.map((e) => (
        <section class="card experiment" data-testid="experiment" aria-label={`Experiment ${text(e.journey)} / ${text(e.step)}`}>
          <div class="journey-head">
            <h3><a href={route(['journeys', e.journey || ''])}>{text(e.journey)}</a> · step <code>{text(e.step)}</code></h3>
            <span class={`badge state-${text(e.state)}`} data-testid="experiment-state">{text(e.state)}</span>
            <strong data-testid="experiment-winner" class={e.winner ? 'winner' : 'muted'}>{winnerText(e)}</strong>
          </div>
          <p class="muted small">Metric: {text(e.metric)}. Rate = converted / entered; the interval is 95%.</p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Variant</th><th scope="col" class="num">Weight</th><th scope="col" class="num">Entered</th>
                  <th scope="col" class="num">Converted</th><th scope="col" class="num">Rate</th><th scope="col">Interval</th>
                  <th scope="col" class="num">Probability best</th>
                </tr>
              </thead>
              <tbody>
                {list(e.variants).map((v) => (
                  <tr data-testid="variant" data-id={v.id} class={e.winner && e.winner === v.id ? 'is-winner' : ''}>
                    <th scope="row">{text(v.id)}</th>
                    <td class="num">{isNumber(v.weight) ? `${v.weight}%` : '—'}</td>
                    <td class="num" data-testid="variant-entered">{num(v.entered)}</td>
                    <td class="num" data-testid="variant-converted">{num(v.converted)}</td>
                    <td class="num" data-testid="variant-rate">{pct(v.rate)}</td>
                    <td><Interval interval={v.interval} testid="variant-interval" /></td>
                    <td class="num"><span class="mini-bar" style={{ width: `${Math.round((v.prob_best || 0) * 60)}px` }} /><span data-testid="variant-prob-best">{pct(v.prob_best, 0)}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list(e.warnings).length > 0 && (
            <ul class="warnings">{list(e.warnings).map((w) => <li>{typeof w === 'string' ? w : JSON.stringify(w)}</li>)}</ul>
          )}
        </section>
      ))}
      {res.data && (
        <section aria-labelledby="channels-title" data-testid="channel-optimization">
          <h2 id="channels-title" class="section-title">Channel optimization</h2>
          {channels.length === 0 ? (
            <Empty title="No channel optimization yet">
              <p>Give a journey's <code>message</code> step <code>channel: auto</code>, a <code>default:</code> channel and a template per
                channel (<code>{'message: { channel: auto, default: email, templates: { email: cart-reminder, sms: cart-sms } }'}</code>),
                apply it and set the journey live: signpost then picks each person's channel, keeps 10% on the default as a control,
                and each channel's rate and the lift over the control appear here.</p>
            </Empty>
          ) : channels.map((c) => <ChannelReport report={c} heading="h3" />)}
        </section>
      )}
    </section>
  );
}
