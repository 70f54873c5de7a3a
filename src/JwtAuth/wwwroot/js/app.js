// The demo page: log in or register (cookie mode), the current user from /me, the access token decoded and counting
// down, and the JWT decoder. Every value from a token or the server is shown as text.

import { $, el, fill, show } from './dom.js';
import { ApiError } from './api.js';
import { BrowserSession } from './session.js';
import { CLAIM_NAMES, TIME_CLAIMS, base64ToBytes, decodeJwt, localTime, relative, verifyHs256 } from './jwt.js';

const session = new BrowserSession();
let mode = 'login';

// Views ------------------------------------------------------------------------------------------------------------

function route() {
  const decoder = location.hash === '#decoder';
  show($('session-view'), !decoder);
  show($('decoder-view'), decoder);
  $('nav-session').toggleAttribute('aria-current', !decoder);
  $('nav-decoder').toggleAttribute('aria-current', decoder);
  if (decoder) $('decoder-token').focus();
}

// Signing in ---------------------------------------------------------------------------------------------------------

function setMode(next) {
  mode = next;
  $('tab-login').setAttribute('aria-selected', String(next === 'login'));
  $('tab-register').setAttribute('aria-selected', String(next === 'register'));
  $('account-submit').textContent = next === 'login' ? 'Log in' : 'Create account';
  $('password').autocomplete = next === 'login' ? 'current-password' : 'new-password';
  show($('password-hint'), next === 'register');
  fill($('account-errors'));
}

function showErrors(list, error) {
  const lines = error instanceof ApiError ? [error.message, ...error.details] : [`The server could not be reached (${error.message}).`];
  if (error instanceof ApiError && error.status === 429) {
    lines.push('Wait a little before trying again.');
  }
  fill(list, ...lines.map((line) => el('li', {}, line)));
}

async function submitAccount(event) {
  event.preventDefault();
  const button = $('account-submit');
  button.disabled = true;
  fill($('account-errors'));
  try {
    const username = $('username').value;
    const password = $('password').value;
    if (mode === 'register') await session.register(username, password);
    else await session.login(username, password);
    $('password').value = '';
  } catch (error) {
    showErrors($('account-errors'), error);
  } finally {
    button.disabled = false;
  }
}

// The signed-in view -----------------------------------------------------------------------------------------------

function claimRows(payload) {
  return Object.entries(payload).map(([name, value]) => {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const cells = [el('span', { className: 'mono' }, shown)];
    if (TIME_CLAIMS.has(name) && localTime(value)) {
      cells.push(el('span', { className: 'time' }, `${localTime(value)} (${relative(value * 1000 - Date.now())})`));
    }
    const label = CLAIM_NAMES[name] ? el('span', { className: 'hint' }, CLAIM_NAMES[name]) : null;
    return el('tr', {}, el('th', { scope: 'row' }, el('code', {}, name), label), el('td', {}, ...cells));
  });
}

function renderToken() {
  const token = session.accessToken;
  const decoded = decodeJwt(token);
  if (decoded.error) {
    fill($('token-header'), decoded.error);
    return;
  }
  fill($('token-header'), JSON.stringify(decoded.header, null, 2));
  fill($('token-payload'), JSON.stringify(decoded.payload, null, 2));
  fill($('token-raw'), token);
  fill($('token-claims'), ...claimRows(decoded.payload));
  fill($('issued-at'), localTime(decoded.payload.iat) ?? '—');
  fill($('expires-at'), localTime(decoded.payload.exp) ?? '—');
  fill($('refresh-count'), String(session.refreshes));
  fill($('user-session'), decoded.payload.sid ?? '—');
}

function tick() {
  if (!session.signedIn) return;
  const left = session.expiresAt - Date.now();
  const seconds = Math.max(0, left / 1000);
  fill($('countdown'), seconds >= 60
    ? `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`
    : `${seconds.toFixed(1)} s`);
  $('countdown').classList.toggle('soon', left < session.lifetimeMs * 0.25);
  $('lifetime').max = session.lifetimeMs;
  $('lifetime').value = Math.max(0, left);
  const next = session.nextRefreshAt - Date.now();
  fill($('next-refresh'), next > 0 ? relative(next) : 'now');
}

async function callMe() {
  try {
    const me = await session.me();
    fill($('user-name'), me.username);
    fill($('user-id'), me.id);
    fill($('user-roles'), ...(me.roles.length ? me.roles.map((role) => el('span', { className: 'chip' }, role)) : ['none']));
    fill($('me-status'), `200 at ${new Date().toLocaleTimeString()}`);
    $('me-status').className = 'ok';
  } catch (error) {
    fill($('me-status'), `${error.status ?? 'failed'} at ${new Date().toLocaleTimeString()}: ${error.message}`);
    $('me-status').className = 'bad';
  }
}

function onSessionChange({ detail }) {
  show($('restoring'), false);
  show($('signed-in'), session.signedIn);
  show($('signed-out'), !session.signedIn);
  if (!session.signedIn) {
    fill($('account-errors'), ...(detail.message ? [el('li', { className: 'info' }, detail.message)] : []));
    return;
  }
  renderToken();
  tick();
  fill($('session-status'), {
    'signed-in': 'Logged in.',
    restored: 'Session restored from the refresh cookie.',
    refreshed: `Refreshed at ${new Date().toLocaleTimeString()}.`,
    shared: `Refreshed by another tab at ${new Date().toLocaleTimeString()}.`,
  }[detail.reason] ?? '');
  if (detail.reason !== 'shared') callMe();
}

// The decoder --------------------------------------------------------------------------------------------------------

let decodeRun = 0;

async function decodePasted() {
  const run = ++decodeRun;
  const token = $('decoder-token').value;
  const output = $('decoder-output');
  if (token.trim() === '') {
    show(output, false);
    return;
  }
  show(output, true);
  const decoded = decodeJwt(token);
  const problems = $('decoder-problems');
  const badge = $('decoder-signature');
  if (decoded.error) {
    fill(problems, el('li', {}, decoded.error));
    fill($('decoder-header'));
    fill($('decoder-payload'));
    fill($('decoder-claims'));
    fill(badge, 'Not a readable JWT');
    badge.className = 'badge bad';
    return;
  }
  fill($('decoder-header'), JSON.stringify(decoded.header, null, 2));
  fill($('decoder-payload'), JSON.stringify(decoded.payload, null, 2));
  fill($('decoder-claims'), ...claimRows(decoded.payload));

  const notes = [];
  const now = Date.now() / 1000;
  if (typeof decoded.payload.exp === 'number' && decoded.payload.exp < now) notes.push(`Expired ${relative((decoded.payload.exp - now) * 1000)}.`);
  if (typeof decoded.payload.nbf === 'number' && decoded.payload.nbf > now) notes.push(`Not valid until ${localTime(decoded.payload.nbf)}.`);
  fill(problems, ...notes.map((note) => el('li', {}, note)));

  const secretText = $('decoder-secret').value;
  let verdict = ['No secret given: the signature is not checked.', 'badge'];
  if (secretText !== '') {
    const secret = $('decoder-encoding').value === 'base64' ? base64ToBytes(secretText) : new TextEncoder().encode(secretText);
    if (decoded.header.alg !== 'HS256') {
      verdict = [`Only HS256 can be checked here; this token says ${JSON.stringify(decoded.header.alg)}.`, 'badge bad'];
    } else if (secret === null || secret.length === 0) {
      verdict = ['The secret is not valid base64.', 'badge bad'];
    } else {
      const valid = await verifyHs256(decoded, secret);
      verdict = valid ? ['Signature verified (HS256).', 'badge ok'] : ['Invalid signature: this secret did not sign this token.', 'badge bad'];
    }
  }
  if (run !== decodeRun) return;
  fill(badge, verdict[0]);
  badge.className = verdict[1];
}

// Start ----------------------------------------------------------------------------------------------------------------

async function start() {
  window.addEventListener('hashchange', route);
  route();
  $('tab-login').addEventListener('click', () => setMode('login'));
  $('tab-register').addEventListener('click', () => setMode('register'));
  $('account-form').addEventListener('submit', submitAccount);
  $('call-me').addEventListener('click', callMe);
  $('refresh-now').addEventListener('click', () => session.refresh({ force: true }));
  $('logout').addEventListener('click', () => session.logout());
  $('logout-all').addEventListener('click', () => session.logout({ everywhere: true }));
  for (const id of ['decoder-token', 'decoder-secret', 'decoder-encoding']) {
    $(id).addEventListener('input', decodePasted);
  }
  session.addEventListener('change', onSessionChange);
  session.addEventListener('status', ({ detail }) => fill($('session-status'), detail.message));
  setInterval(tick, 200);

  show($('restoring'), true);
  try {
    if (!(await session.restore())) onSessionChange({ detail: { reason: 'signed-out' } });
  } catch (error) {
    onSessionChange({ detail: { reason: 'signed-out' } });
    showErrors($('account-errors'), error);
  }
  document.body.dataset.ready = 'true';
}

start();
