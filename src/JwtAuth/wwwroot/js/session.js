// The browser session: the access token lives in this module's memory only (never localStorage, sessionStorage or
// document.cookie); the refresh token lives in an HttpOnly cookie the server sets. The token is refreshed before it
// expires. Tabs take turns to refresh under one Web Lock and share the result over a BroadcastChannel, so two tabs
// never present the same refresh token, and a logout in one tab ends the session in every tab.

import { api, ApiError } from './api.js';

const LOCK = 'jwtauth-refresh';
const CHANNEL = 'jwtauth-session';

/** Refresh when this share of the token's lifetime is left: not closer than a second to expiry (a request takes
 * time), not earlier than a minute before it, and never before half the lifetime has passed. */
const REFRESH_AT_REMAINING = 0.25;
const MIN_MARGIN_MS = 1000;
const MAX_MARGIN_MS = 60_000;
const RETRY_MS = 2000;

export class BrowserSession extends EventTarget {
  #accessToken = null;
  #expiresAt = 0;
  #lifetimeMs = 0;
  #refreshes = 0;
  #timer = 0;
  #channel = 'BroadcastChannel' in globalThis ? new BroadcastChannel(CHANNEL) : null;

  constructor() {
    super();
    this.#channel?.addEventListener('message', (event) => this.#onMessage(event.data));
    document.addEventListener('visibilitychange', () => {
      // Timers are throttled in hidden tabs; catch up as soon as the tab is seen again.
      if (document.visibilityState === 'visible' && this.#accessToken && this.#dueIn() <= 0) this.refresh();
    });
  }

  get accessToken() { return this.#accessToken; }
  get expiresAt() { return this.#expiresAt; }
  get lifetimeMs() { return this.#lifetimeMs; }
  get refreshes() { return this.#refreshes; }
  get nextRefreshAt() { return this.#accessToken ? this.#expiresAt - this.#margin() : 0; }
  get signedIn() { return this.#accessToken !== null; }

  async register(username, password, email) {
    await api.register(username, password, email);
    return this.login(username, password);
  }

  /** secondFactor is { totp_code } or { recovery_code } when the server asked for one (ApiError.mfaRequired). */
  async login(username, password, secondFactor) {
    const tokens = await api.login(username, password, secondFactor);
    this.#adopt(tokens.access_token, Date.now() + tokens.expires_in * 1000, tokens.expires_in * 1000, 'signed-in');
    this.#broadcast();
  }

  /** After a reload, or in a new tab: the cookie, if the browser has one, starts this tab's part of the session. */
  async restore() {
    return this.#withLock(async () => {
      if (this.#accessToken) return true;
      try {
        await this.#refreshNow('restored');
        return true;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return false;
        throw error;
      }
    });
  }

  /** Refreshes unless another tab already did while this one waited for the lock. */
  async refresh({ force = false } = {}) {
    return this.#withLock(async () => {
      if (!this.#accessToken) return;
      if (!force && this.#dueIn() > 0) {
        this.#schedule();
        return;
      }
      try {
        await this.#refreshNow('refreshed');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          this.#end('The session has ended: it was logged out, revoked or has expired.');
          this.#channel?.postMessage({ type: 'signed-out' });
        } else {
          // A network error, a rate limit or a busy server: try again shortly (or when told to) while the token may still work.
          const wait = Math.max(RETRY_MS, (error.retryAfterSeconds ?? 0) * 1000);
          this.#status(`Refresh failed (${error.message}); retrying in ${Math.round(wait / 1000)} s.`);
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => this.refresh({ force: true }), wait);
        }
      }
    });
  }

  async logout({ everywhere = false } = {}) {
    try {
      await api.logout(everywhere);
    } finally {
      this.#end(everywhere ? 'Logged out of every session.' : 'Logged out.');
      this.#channel?.postMessage({ type: 'signed-out' });
    }
  }

  me() {
    return api.me(this.#accessToken);
  }

  resendConfirmation() {
    return api.resendConfirmation(this.#accessToken);
  }

  enrolTotp(password) {
    return api.enrolTotp(this.#accessToken, password);
  }

  confirmTotp(code) {
    return api.confirmTotp(this.#accessToken, code);
  }

  turnOffTotp(password, code) {
    return api.turnOffTotp(this.#accessToken, password, code);
  }

  async #refreshNow(reason) {
    const tokens = await api.refresh();
    if (reason === 'refreshed') this.#refreshes += 1;
    this.#adopt(tokens.access_token, Date.now() + tokens.expires_in * 1000, tokens.expires_in * 1000, reason);
    this.#broadcast();
  }

  #adopt(accessToken, expiresAt, lifetimeMs, reason) {
    this.#accessToken = accessToken;
    this.#expiresAt = expiresAt;
    this.#lifetimeMs = lifetimeMs;
    this.#schedule();
    this.dispatchEvent(new CustomEvent('change', { detail: { reason } }));
  }

  #end(message) {
    clearTimeout(this.#timer);
    this.#accessToken = null;
    this.#expiresAt = 0;
    this.#lifetimeMs = 0;
    this.dispatchEvent(new CustomEvent('change', { detail: { reason: 'signed-out', message } }));
  }

  #onMessage(message) {
    if (message?.type === 'tokens' && message.expiresAt > this.#expiresAt) {
      // Another tab refreshed (or logged in): use its token instead of spending the cookie again.
      this.#adopt(message.accessToken, message.expiresAt, message.lifetimeMs, this.#accessToken ? 'shared' : 'signed-in');
    } else if (message?.type === 'signed-out' && this.#accessToken) {
      this.#end('Logged out in another tab.');
    }
  }

  #broadcast() {
    this.#channel?.postMessage({ type: 'tokens', accessToken: this.#accessToken, expiresAt: this.#expiresAt, lifetimeMs: this.#lifetimeMs });
  }

  #margin() {
    const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, this.#lifetimeMs * REFRESH_AT_REMAINING));
    return Math.min(margin, this.#lifetimeMs / 2);
  }

  #dueIn() {
    return this.nextRefreshAt - Date.now();
  }

  #schedule() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.refresh(), Math.max(0, this.#dueIn()));
  }

  #status(message) {
    this.dispatchEvent(new CustomEvent('status', { detail: { message } }));
  }

  #withLock(work) {
    // Web Locks exist in every current browser's secure contexts; without them each tab refreshes on its own.
    return navigator.locks ? navigator.locks.request(LOCK, work) : work();
  }
}
