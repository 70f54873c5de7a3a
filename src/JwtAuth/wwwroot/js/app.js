// The demo page: log in or register (cookie mode), with a second factor when the account has one; the links mailed
// for a forgotten password and an address to confirm; the current user from /me, the access token decoded and
// counting down, two-factor enrolment; and the JWT decoder. Every value from a token or the server is shown as text.

import { $, el, fill, show } from './dom.js';
import { api, ApiError } from './api.js';
import { BrowserSession } from './session.js';
import { CLAIM_NAMES, TIME_CLAIMS, base64ToBytes, decodeJwt, localTime, relative, verifyHs256 } from './jwt.js';

const session = new BrowserSession();
let mode = 'login';

/** What the session view shows besides the signed-in or signed-out card: null, or 'second-factor', 'forgot', 'reset'. */
let panel = null;
/** The session has been restored, or found missing, at least once. */
let settled = false;
/** The username and password of a login the server answered with mfa_required, kept in this variable only, and only
 * until the code is sent with them, the user cancels, or a few minutes pass. */
let pendingLogin = null;
let pendingLoginTimer = 0;
const PENDING_LOGIN_MS = 5 * 60_000;
/** The token of a #reset= link, in memory only, until the new password is set or the user leaves the form. */
let resetToken = null;
/** Two-factor login of the signed-in user: 'off', 'setup' (scanning and confirming), 'codes' (recovery codes shown
 * once) or 'on'. */
let twoFactor = 'off';

/** The tokens mailed in links are base64url; anything else is a damaged link and is never sent or shown. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{16,512}$/;

// Views ------------------------------------------------------------------------------------------------------------

/** A #reset= or #confirm= link: its token is read once and the fragment is replaced at once, so the token stays
 * neither in the address bar nor in the history. */
function takeLink() {
  const match = /^#(reset|confirm)=(.*)$/s.exec(location.hash);
  if (!match) return null;
  history.replaceState(history.state, '', location.pathname + location.search);
  return { kind: match[1], token: match[2] };
}

function route() {
  const link = takeLink();
  if (link?.kind === 'reset') openReset(link.token);
  if (link?.kind === 'confirm') confirmEmail(link.token);
  const decoder = location.hash === '#decoder';
  show($('session-view'), !decoder);
  show($('decoder-view'), decoder);
  $('nav-session').toggleAttribute('aria-current', !decoder);
  $('nav-decoder').toggleAttribute('aria-current', decoder);
  if (decoder) $('decoder-token').focus();
}

/** Shows the signed-in or signed-out card, or the panel that stands in for them. */
function renderPanels() {
  show($('restoring'), !settled && panel === null);
  show($('signed-in'), settled && panel === null && session.signedIn);
  show($('signed-out'), settled && panel === null && !session.signedIn);
  show($('second-factor'), panel === 'second-factor');
  show($('forgot-view'), panel === 'forgot');
  show($('reset-view'), panel === 'reset');
}

function setPanel(next) {
  if (panel === 'second-factor' && next !== 'second-factor') forgetPendingLogin();
  if (panel === 'reset' && next !== 'reset') {
    resetToken = null;
    $('new-password').value = '';
  }
  panel = next;
  renderPanels();
}

/** A message about a mailed link, above the rest: 'ok', 'bad' or 'info'. */
function linkResult(text, kind) {
  const banner = $('link-result');
  fill(banner, text);
  banner.className = `banner ${kind}`;
  show(banner, true);
}

// Signing in ---------------------------------------------------------------------------------------------------------

function setMode(next) {
  mode = next;
  $('tab-login').setAttribute('aria-selected', String(next === 'login'));
  $('tab-register').setAttribute('aria-selected', String(next === 'register'));
  $('account-submit').textContent = next === 'login' ? 'Log in' : 'Create account';
  $('password').autocomplete = next === 'login' ? 'current-password' : 'new-password';
  show($('password-hint'), next === 'register');
  show($('email-field'), next === 'register');
  show($('forgot-row'), next === 'login');
  fill($('account-errors'));
}

function errorLines(error) {
  if (!(error instanceof ApiError)) return [`The server could not be reached (${error.message}).`];
  const lines = [error.message, ...error.details];
  if (error.status === 429) {
    lines.push(error.retryAfterSeconds ? `Try again ${relative(error.retryAfterSeconds * 1000)}.` : 'Wait a little before trying again.');
  }
  return lines;
}

function showErrors(list, error) {
  fill(list, ...errorLines(error).map((line) => el('li', {}, line)));
}

function showLines(list, lines, className) {
  fill(list, ...lines.map((line) => el('li', className ? { className } : {}, line)));
}

async function submitAccount(event) {
  event.preventDefault();
  const button = $('account-submit');
  button.disabled = true;
  fill($('account-errors'));
  const username = $('username').value;
  const password = $('password').value;
  try {
    if (mode === 'register') await session.register(username, password, $('email').value.trim());
    else await session.login(username, password);
    $('password').value = '';
    $('email').value = '';
  } catch (error) {
    if (error instanceof ApiError && error.mfaRequired) askForSecondFactor(username, password);
    else showErrors($('account-errors'), error);
  } finally {
    button.disabled = false;
  }
}

// The second factor at login ------------------------------------------------------------------------------------------

let useRecoveryCode = false;

function setSecondFactorKind(recovery) {
  useRecoveryCode = recovery;
  fill($('second-factor-label'), recovery ? 'Recovery code' : 'Code from your authenticator app');
  fill($('second-factor-switch'), recovery ? 'Use a code from the app instead' : 'Use a recovery code instead');
  const input = $('second-factor-code');
  input.inputMode = recovery ? 'text' : 'numeric';
  input.placeholder = recovery ? 'xxxx-xxxx-xxxx-xxxx' : '6 digits';
  input.value = '';
  fill($('second-factor-errors'));
}

/** The password was right and the account has two-factor login on: keep the password in memory for the one retry
 * with a code, take it out of the form, and ask for the code. */
function askForSecondFactor(username, password) {
  setPanel('second-factor');
  pendingLogin = { username, password };
  clearTimeout(pendingLoginTimer);
  pendingLoginTimer = setTimeout(() => {
    if (panel !== 'second-factor') return;
    setPanel(null);
    showLines($('account-errors'), ['The login waited too long for a code; enter your password again.'], 'info');
  }, PENDING_LOGIN_MS);
  $('password').value = '';
  fill($('second-factor-user'), username);
  setSecondFactorKind(false);
  $('second-factor-code').focus();
}

function forgetPendingLogin() {
  pendingLogin = null;
  clearTimeout(pendingLoginTimer);
  $('second-factor-code').value = '';
  fill($('second-factor-errors'));
}

async function submitSecondFactor(event) {
  event.preventDefault();
  if (!pendingLogin) {
    setPanel(null);
    return;
  }
  const code = $('second-factor-code').value.trim();
  const factor = useRecoveryCode ? { recovery_code: code } : { totp_code: code.replace(/\s+/g, '') };
  const button = $('second-factor-submit');
  button.disabled = true;
  fill($('second-factor-errors'));
  try {
    await session.login(pendingLogin.username, pendingLogin.password, factor);
    setPanel(null);
  } catch (error) {
    if (error instanceof ApiError && (error.mfaRequired || error.status === 400 || error.status === 503)) {
      // A wrong, used or malformed code, or a busy server: the user tries another code with the same password.
      showErrors($('second-factor-errors'), error);
      $('second-factor-code').select();
    } else if (error instanceof ApiError) {
      // The password no longer works, or the username is locked out: start again from the password.
      setPanel(null);
      showErrors($('account-errors'), error);
    } else {
      showErrors($('second-factor-errors'), error);
    }
  } finally {
    button.disabled = false;
  }
}

// Forgotten password: the mail, then the #reset= link --------------------------------------------------------------------

/** The one answer to every 202: whether an account has the address is not the page's to know. */
const RESET_MAIL_SENT = 'If an account has this address, and the address is confirmed, a mail with a link to choose a new ' +
  'password is on its way. The link works once, for a limited time. Check your spam folder if nothing arrives.';

function openForgot() {
  setPanel('forgot');
  fill($('forgot-errors'));
  show($('forgot-sent'), false);
  $('forgot-email').focus();
}

async function submitForgot(event) {
  event.preventDefault();
  const button = $('forgot-submit');
  button.disabled = true;
  fill($('forgot-errors'));
  show($('forgot-sent'), false);
  try {
    await api.forgotPassword($('forgot-email').value.trim());
    fill($('forgot-sent'), RESET_MAIL_SENT);
    show($('forgot-sent'), true);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const messages = error.fieldErrors('email');
      showLines($('forgot-errors'), messages.length ? messages : errorLines(error));
    } else if (error instanceof ApiError && error.status === 429) {
      showLines($('forgot-errors'), ['Too many reset requests for this address or from this browser.',
        error.retryAfterSeconds ? `Try again ${relative(error.retryAfterSeconds * 1000)}.` : 'Try again later.']);
    } else if (error instanceof ApiError && error.status === 503) {
      showLines($('forgot-errors'), ['This server cannot send mail, so a password cannot be reset by mail here. Ask its administrator.']);
    } else {
      showErrors($('forgot-errors'), error);
    }
  } finally {
    button.disabled = false;
  }
}

function openReset(token) {
  setPanel('reset');
  fill($('reset-errors'));
  $('new-password').value = '';
  if (!LINK_TOKEN.test(token)) {
    resetLinkRefused('This reset link is damaged or incomplete. Open the whole link from the mail, or ask for a new one.');
    return;
  }
  resetToken = token;
  show($('reset-form'), true);
  show($('reset-invalid'), false);
  $('new-password').focus();
}

function resetLinkRefused(message) {
  resetToken = null;
  show($('reset-form'), false);
  fill($('reset-invalid-text'), message);
  show($('reset-invalid'), true);
}

async function submitReset(event) {
  event.preventDefault();
  if (!resetToken) return;
  const button = $('reset-submit');
  button.disabled = true;
  fill($('reset-errors'));
  try {
    await api.resetPassword(resetToken, $('new-password').value);
    setPanel(null);
    // Every session of the account has ended, this one too if the page had one: clear its cookie and every tab.
    if (session.signedIn) await session.logout().catch(() => {});
    setMode('login');
    showLines($('account-errors'), ['Your password is changed, and every session of the account has ended. Log in with the new password.'], 'info');
    $('username').focus();
  } catch (error) {
    if (error instanceof ApiError && error.fieldErrors('token').length) {
      resetLinkRefused('This reset link is invalid, expired or already used. Ask for a new one.');
    } else if (error instanceof ApiError && error.fieldErrors('new_password').length) {
      // The token is still good: the user tries another password with it.
      showLines($('reset-errors'), error.fieldErrors('new_password'));
      $('new-password').select();
    } else {
      showErrors($('reset-errors'), error);
    }
  } finally {
    button.disabled = false;
  }
}

// The #confirm= link -----------------------------------------------------------------------------------------------------

async function confirmEmail(token) {
  if (!LINK_TOKEN.test(token)) {
    linkResult('This confirmation link is damaged or incomplete. Open the whole link from the mail.', 'bad');
    return;
  }
  linkResult('Confirming your email address…', 'info');
  try {
    await api.confirmEmail(token);
    linkResult('Your email address is confirmed.', 'ok');
    if (session.signedIn) callMe();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      linkResult('This confirmation link is invalid, expired or already used.', 'bad');
    } else {
      linkResult(`The address could not be confirmed: ${errorLines(error).join(' ')}`, 'bad');
    }
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
    fill($('user-email'), ...(typeof me.email === 'string' && me.email !== ''
      ? [el('span', { className: 'mono' }, me.email), ' ',
        ...(me.email_verified === true
          ? [el('span', { className: 'chip ok' }, 'confirmed')]
          : [el('span', { className: 'chip warn' }, 'not confirmed'), ' ',
            el('button', { type: 'button', className: 'link', onclick: resendConfirmation }, 'Send the link again'), ' ',
            el('span', { id: 'resend-status', role: 'status' })])]
      : ['none']));
    fill($('me-status'), `200 at ${new Date().toLocaleTimeString()}`);
    $('me-status').className = 'ok';
  } catch (error) {
    fill($('me-status'), `${error.status ?? 'failed'} at ${new Date().toLocaleTimeString()}: ${error.message}`);
    $('me-status').className = 'bad';
  }
}

/** Asks for a new confirmation mail (a lost one, or a link past its lifetime); the earlier link stops working. */
async function resendConfirmation(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await session.resendConfirmation();
    fill($('resend-status'), 'A new link is on its way; the earlier one no longer works.');
  } catch (error) {
    fill($('resend-status'), error.status === 429 && error.retryAfterSeconds
      ? `${error.message} Try again ${relative(error.retryAfterSeconds * 1000)}.`
      : error.message);
    button.disabled = false;
  }
}

function onSessionChange({ detail }) {
  settled = true;
  // Signed in meanwhile (in another tab, say): no code is needed here any more.
  if (session.signedIn && panel === 'second-factor') setPanel(null);
  renderPanels();
  if (!session.signedIn) {
    setTwoFactor('off');
    // A signed-out account comes back through the login form.
    if (mode !== 'login') setMode('login');
    fill($('account-errors'), ...(detail.message ? [el('li', { className: 'info' }, detail.message)] : []));
    return;
  }
  if (detail.reason === 'signed-in' || detail.reason === 'restored') setTwoFactor(tokenSaysTwoFactor() ? 'on' : 'off');
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

// Two-factor login of the signed-in user -------------------------------------------------------------------------------

/** A session logged in with a code (amr "otp") belongs to an account with two-factor login on. One logged in with the
 * password alone had it off then; it may have been turned on since elsewhere, which enrolment then reports (409). */
function tokenSaysTwoFactor() {
  const amr = decodeJwt(session.accessToken ?? '').payload?.amr;
  return Array.isArray(amr) && amr.includes('otp');
}

const TWO_FACTOR_STATES = {
  off: 'Off: your password alone logs you in.',
  setup: 'Setting up: scan the QR code, then confirm with the first code the app shows.',
  codes: 'On. Save your recovery codes now.',
  on: 'On: logging in needs your password and a code from your authenticator app.',
};

function setTwoFactor(next) {
  twoFactor = next;
  fill($('two-factor-state'), TWO_FACTOR_STATES[next]);
  $('two-factor-state').className = next === 'on' || next === 'codes' ? 'ok' : '';
  show($('two-factor-enrol'), next === 'off');
  show($('two-factor-setup'), next === 'setup');
  show($('two-factor-codes'), next === 'codes');
  show($('two-factor-off'), next === 'on');
  if (next !== 'setup') {
    // The secret is shown only while it is being set up.
    $('two-factor-qr').removeAttribute('src');
    fill($('two-factor-secret'));
    $('two-factor-uri').removeAttribute('href');
    $('two-factor-confirm-code').value = '';
  }
  if (next !== 'codes') fill($('two-factor-recovery-codes'));
  for (const id of ['two-factor-enrol-password', 'two-factor-off-password', 'two-factor-off-code']) $(id).value = '';
}

/** The QR code comes as an SVG document; it is shown as an image (data: URI), which runs no script, never parsed
 * into the page. */
function svgImageUri(svg) {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(String(svg))}`;
}

async function twoFactorStep(button, work) {
  button.disabled = true;
  fill($('two-factor-errors'));
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      setTwoFactor('on');
      showLines($('two-factor-errors'), ['Two-factor login is already on for this account.'], 'info');
    } else {
      showErrors($('two-factor-errors'), error);
    }
  } finally {
    button.disabled = false;
  }
}

function enrolTwoFactor(event) {
  event.preventDefault();
  return twoFactorStep($('two-factor-enrol-submit'), async () => {
    const setup = await session.enrolTotp($('two-factor-enrol-password').value);
    setTwoFactor('setup');
    $('two-factor-qr').src = svgImageUri(setup.qr_svg);
    const secret = String(setup.secret);
    fill($('two-factor-secret'), secret.match(/.{1,4}/g)?.join(' ') ?? secret);
    const uri = String(setup.otpauth_uri);
    const link = $('two-factor-uri');
    if (uri.startsWith('otpauth://')) link.href = uri;
    show(link, uri.startsWith('otpauth://'));
    $('two-factor-confirm-code').focus();
  });
}

function confirmTwoFactor(event) {
  event.preventDefault();
  return twoFactorStep($('two-factor-confirm-submit'), async () => {
    const { recovery_codes: codes } = await session.confirmTotp($('two-factor-confirm-code').value.replace(/\s+/g, ''));
    setTwoFactor('codes');
    fill($('two-factor-recovery-codes'), ...codes.map((code) => el('li', {}, el('code', {}, code))));
  });
}

function turnOffTwoFactor(event) {
  event.preventDefault();
  return twoFactorStep($('two-factor-off-submit'), async () => {
    await session.turnOffTotp($('two-factor-off-password').value, $('two-factor-off-code').value.trim());
    setTwoFactor('off');
    showLines($('two-factor-errors'), ['Two-factor login is off.'], 'info');
  });
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
  $('forgot-open').addEventListener('click', openForgot);
  $('forgot-form').addEventListener('submit', submitForgot);
  $('forgot-back').addEventListener('click', () => setPanel(null));
  $('second-factor-form').addEventListener('submit', submitSecondFactor);
  $('second-factor-switch').addEventListener('click', () => setSecondFactorKind(!useRecoveryCode));
  $('second-factor-cancel').addEventListener('click', () => setPanel(null));
  $('reset-form').addEventListener('submit', submitReset);
  $('reset-ask-again').addEventListener('click', openForgot);
  $('reset-back').addEventListener('click', () => setPanel(null));
  $('two-factor-enrol').addEventListener('submit', enrolTwoFactor);
  $('two-factor-confirm').addEventListener('submit', confirmTwoFactor);
  $('two-factor-setup-cancel').addEventListener('click', () => setTwoFactor('off'));
  $('two-factor-codes-done').addEventListener('click', () => setTwoFactor('on'));
  $('two-factor-off').addEventListener('submit', turnOffTwoFactor);
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

  setMode('login');
  setTwoFactor('off');
  renderPanels();
  try {
    if (!(await session.restore())) onSessionChange({ detail: { reason: 'signed-out' } });
  } catch (error) {
    onSessionChange({ detail: { reason: 'signed-out' } });
    showErrors($('account-errors'), error);
  }
  document.body.dataset.ready = 'true';
}

start();
