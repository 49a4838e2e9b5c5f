// Hash routing: "#/funnels/onboarding?window=14d" -> { parts: ["funnels", "onboarding"], query }.
// Hash routes need no server support: signpost serves web/dist as plain files.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(hash) {
  const h = hash.replace(/^#\/?/, '');
  const [path, qs = ''] = h.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: Object.fromEntries(new URLSearchParams(qs)) };
}

// The href of a route: route(["funnels", id], {window: "7d"}).
export function route(parts, query) {
  const path = '#/' + parts.map(encodeURIComponent).join('/');
  const qs = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v !== '' && v != null)).toString();
  return qs ? `${path}?${qs}` : path;
}

// Replaces the query of the current route (keeps the history short: controls do not push entries).
export function setQuery(parts, query) {
  history.replaceState(null, '', route(parts, query));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute() {
  const [r, setR] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setR(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}
