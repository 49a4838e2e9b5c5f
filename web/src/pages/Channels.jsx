// One `channel: auto` message step's channel optimization (GET /api/journeys/{id}/channels/{step}),
// linked from the step in the journey page's step table.
import { useApi } from '../components/useApi.js';
import { Empty, ErrorBox, Loading } from '../components/States.jsx';
import { ChannelReport } from '../components/ChannelReport.jsx';
import { route } from '../router.js';

export function ChannelsPage({ id, step }) {
  const res = useApi(`/api/journeys/${encodeURIComponent(id)}/channels/${encodeURIComponent(step)}`);
  const journeyHref = route(['journeys', id]);
  return (
    <section class="page" aria-labelledby="channels-page-title">
      <p class="crumbs"><a href="#/journeys">← Journeys</a> / <a href={journeyHref}>{id}</a></p>
      <h1 id="channels-page-title">Channel optimization: step {step}</h1>
      {res.loading && <Loading what="the channel report" />}
      {res.error && res.error.status === 404 && (
        <Empty title="No channel optimization here">
          <p>The journey <code>{id}</code> has no <code>message</code> step <code>{step}</code> with <code>channel: auto</code> (or no such
            journey). Only such a step picks a channel per person; see the journey's steps on <a href={journeyHref}>its page</a>, or
            every optimized step on the <a href="#/experiments">Experiments</a> page.</p>
        </Empty>
      )}
      {res.error && res.error.status !== 404 && <ErrorBox error={res.error} what="the channel report" onRetry={res.reload} />}
      {res.data && <ChannelReport report={res.data} heading="h2" />}
    </section>
  );
}
