// The dashboard's shell: token handling (login screen, localStorage, #token=... links), the
// navigation, and the page of the current hash route.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, getToken, setToken } from './api.js';
import { useRoute } from './router.js';
import { FunnelsPage } from './pages/Funnels.jsx';
import { JourneysPage } from './pages/Journeys.jsx';
import { JourneyPage } from './pages/Journey.jsx';
import { ExperimentsPage } from './pages/Experiments.jsx';
import { ChannelsPage } from './pages/Channels.jsx';
import { SchemaPage } from './pages/Schema.jsx';
import { AlertsPage } from './pages/Alerts.jsx';
import './styles.css';

const NAV = [
  ['journeys', 'Journeys'],
  ['funnels', 'Funnels'],
  ['experiments', 'Experiments'],
  ['alerts', 'Alerts'],
  ['schema', 'Schema'],
];

// "#token=spa_..." (the link `make run` prints) logs in and is removed from the address bar.
function takeTokenFromUrl() {
  const m = location.hash.match(/^#token=([^&]+)/);
  if (!m) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/journeys');
}

function Login({ reason, onDone }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(reason || '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const t = value.trim();
    if (!t) return setError('Enter the admin token.');
    setBusy(true);
    setToken(t);
    try {
      await api('/api/funnels');
      onDone();
    } catch (err) {
      setToken('');
      setError(err.status === 401 ? 'This token was refused: it is not an admin token of this server.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">signpost</h1>
        <p>The dashboard reads the admin API. Enter an admin token: <code>make run</code> prints a link with one, and
          <code> signpost keys create --kind admin</code> makes a new one (with the server stopped).</p>
        <label for="token">Admin token</label>
        <input id="token" type="password" autocomplete="current-password" value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="spa_…" />
        {error && <p class="error-message" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Open the dashboard'}</button>
      </form>
    </main>
  );
}

function Page({ parts, query }) {
  const [section, id, sub, subId] = parts;
  switch (section) {
    case 'funnels':
      return <FunnelsPage id={id} query={query} />;
    case 'journeys':
      if (id && sub === 'channels' && subId) return <ChannelsPage id={id} step={subId} />;
      return id ? <JourneyPage id={id} /> : <JourneysPage />;
    case 'experiments':
      return <ExperimentsPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'schema':
      return <SchemaPage query={query} />;
    default:
      return <JourneysPage />;
  }
}

function App() {
  const [authed, setAuthed] = useState(() => Boolean(getToken()));
  const [reason, setReason] = useState('');
  const { parts, query } = useRoute();
  // On a move to another page (not a change of its controls, which rewrite only the query), focus
  // goes to the new page's heading, so keyboard and screen-reader users start at its top. Not on
  // the first load: Tab then starts at the skip link and the navigation.
  const path = parts.join('/');
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    const h = document.querySelector('#main h1');
    if (h) {
      h.setAttribute('tabindex', '-1');
      h.focus();
    }
  }, [path]);
  useEffect(() => {
    const on = () => {
      setToken('');
      setReason('The server refused the saved token; enter a valid admin token.');
      setAuthed(false);
    };
    window.addEventListener('signpost:unauthorized', on);
    return () => window.removeEventListener('signpost:unauthorized', on);
  }, []);
  if (!authed) return <Login reason={reason} onDone={() => { setReason(''); setAuthed(true); }} />;
  const section = parts[0] || 'journeys';
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <a class="brand" href="#/journeys">signpost</a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([key, label]) => (
              <li><a href={`#/${key}`} aria-current={section === key ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link signout" onClick={() => { setToken(''); setAuthed(false); }}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page parts={parts.length ? parts : ['journeys']} query={query} />
      </main>
    </div>
  );
}

takeTokenFromUrl();
render(<App />, document.getElementById('app'));
