// useApi: loads an API path and re-loads when the path or query changes.
import { useEffect, useState, useCallback } from 'preact/hooks';
import { api, queryString } from '../api.js';

// Returns { loading, error, data, reload }. `path` null means "do not load yet".
export function useApi(path, query) {
  const key = path === null ? null : path + queryString(query);
  const [state, setState] = useState({ loading: path !== null, error: null, data: null, key: null });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (key === null) return undefined;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api(path, { query })
      .then((data) => live && setState({ loading: false, error: null, data, key }))
      .catch((error) => live && setState({ loading: false, error, data: null, key }));
    return () => {
      live = false;
    };
  }, [key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
