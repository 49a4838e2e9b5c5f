// The dashboard's only way to the server: the documented HTTP API (docs/openapi.yaml) with the
// admin token kept in localStorage.
const TOKEN_KEY = 'signpost.adminToken';

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

// An API answer that was not 2xx: the HTTP status and the server's {code, message}.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Query string of the non-empty entries of `query`.
export function queryString(query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

// Calls the API. Resolves with the JSON body; rejects with ApiError (a network failure has status 0).
// A 401 also fires the `signpost:unauthorized` window event, so the app can ask for a token again.
export async function api(path, { method = 'GET', query, body } = {}) {
  const headers = { Authorization: `Bearer ${getToken()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path + queryString(query), {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : method === 'POST' ? '' : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the signpost server did not answer (${e.message}); is it running?`);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new CustomEvent('signpost:unauthorized'));
    const err = data && data.error ? data.error : {};
    throw new ApiError(res.status, err.code || `http_${res.status}`, err.message || `HTTP ${res.status}`);
  }
  return data;
}
