// The server's endpoints, in cookie mode: the refresh token never reaches this script, and requests that use the
// refresh cookie say so with X-Requested-With, which the server requires of them.

const COOKIE_REQUEST = { 'X-Requested-With': 'JwtAuth' };

export class ApiError extends Error {
  constructor(status, problem, retryAfterSeconds) {
    super(problem?.title || problem?.error_description || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Field messages of a validation problem, as "field: message" lines. */
  get details() {
    const errors = this.problem?.errors ?? {};
    return Object.entries(errors).flatMap(([field, messages]) => messages.map((message) => `${field}: ${message}`));
  }
}

async function send(path, { method = 'POST', body, headers = {}, accessToken } = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, data, Number(response.headers.get('Retry-After')) || 0);
  return data;
}

export const api = {
  register: (username, password) => send('register', { body: { username, password } }),
  login: (username, password) => send('login', { body: { username, password, cookie: true }, headers: COOKIE_REQUEST }),
  refresh: () => send('refresh', { headers: COOKIE_REQUEST }),
  logout: (allSessions) => send('logout', { body: { all_sessions: allSessions }, headers: COOKIE_REQUEST }),
  me: (accessToken) => send('me', { method: 'GET', accessToken }),
};
