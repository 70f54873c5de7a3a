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

  /** The messages a validation problem gives for one field, or an empty list. */
  fieldErrors(field) {
    const messages = this.problem?.errors?.[field];
    return Array.isArray(messages) ? messages.map(String) : [];
  }

  /** A 401 that asks for a second factor: send the same password again with a code. */
  get mfaRequired() {
    return this.status === 401 && this.problem?.mfa_required === true;
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
  /** The address is left out when empty: it is optional. */
  register: (username, password, email) => send('register', { body: email ? { username, password, email } : { username, password } }),
  /** With two-factor login on, the same password again with { totp_code } or { recovery_code }. */
  login: (username, password, secondFactor = {}) =>
    send('login', { body: { username, password, ...secondFactor, cookie: true }, headers: COOKIE_REQUEST }),
  refresh: () => send('refresh', { headers: COOKIE_REQUEST }),
  logout: (allSessions) => send('logout', { body: { all_sessions: allSessions }, headers: COOKIE_REQUEST }),
  me: (accessToken) => send('me', { method: 'GET', accessToken }),

  // The links mailed to the user, and the mail that starts a reset.
  forgotPassword: (email) => send('password/forgot', { body: { email } }),
  resetPassword: (token, newPassword) => send('password/reset', { body: { token, new_password: newPassword } }),
  confirmEmail: (token) => send('email/confirm', { body: { token } }),
  /** A new confirmation link for the signed-in user's unconfirmed address; the earlier one stops working. */
  resendConfirmation: (accessToken) => send('me/email/confirmation', { accessToken }),

  // Two-factor login (TOTP) of the signed-in user.
  enrolTotp: (accessToken, password) => send('me/mfa/totp', { body: { password }, accessToken }),
  confirmTotp: (accessToken, code) => send('me/mfa/totp/confirm', { body: { code }, accessToken }),
  turnOffTotp: (accessToken, password, code) => send('me/mfa/totp', { method: 'DELETE', body: { password, code }, accessToken }),
};
