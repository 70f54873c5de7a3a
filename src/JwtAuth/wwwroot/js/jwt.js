// Decoding and HS256 verification of compact JWS tokens, entirely in the page (WebCrypto); nothing leaves it.

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of a base64url (or standard base64) string, or null when it is not one. */
export function base64ToBytes(text) {
  const normalized = text.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normalized) || normalized.length % 4 === 1) return null;
  const padded = normalized.padEnd(normalized.length + ((4 - (normalized.length % 4)) % 4), '=');
  try {
    const binary = atob(padded);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function decodeJsonPart(part, name) {
  const bytes = base64ToBytes(part);
  if (bytes === null) throw new Error(`The ${name} is not base64url.`);
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new Error(`The ${name} is not UTF-8 text.`);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The ${name} is not JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`The ${name} is not a JSON object.`);
  return value;
}

/**
 * Splits and decodes a compact JWS: { header, payload, signingInput, signature } or { error }.
 * Whatever is inside stays data; the caller shows it as text.
 */
export function decodeJwt(token) {
  const compact = token.trim();
  if (compact === '') return { error: 'Paste a token.' };
  const parts = compact.split('.');
  if (parts.length === 5) return { error: 'This is an encrypted token (JWE): it cannot be read without its key.' };
  if (parts.length !== 3) return { error: `A JWT has three parts separated by dots; this has ${parts.length}.` };
  try {
    const header = decodeJsonPart(parts[0], 'header');
    const payload = decodeJsonPart(parts[1], 'payload');
    const signature = base64ToBytes(parts[2]);
    if (signature === null) return { error: 'The signature is not base64url.' };
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature };
  } catch (error) {
    return { error: error.message };
  }
}

/** Whether an HMAC-SHA256 signature over the token's first two parts verifies with the secret's bytes. */
export async function verifyHs256(decoded, secretBytes) {
  const key = await crypto.subtle.importKey('raw', secretBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return crypto.subtle.verify('HMAC', key, decoded.signature, new TextEncoder().encode(decoded.signingInput));
}

export const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

export const CLAIM_NAMES = {
  iss: 'issuer',
  sub: 'subject (the user id)',
  aud: 'audience',
  exp: 'expires',
  nbf: 'not before',
  iat: 'issued at',
  jti: 'token id',
  sid: 'session',
  preferred_username: 'username',
  roles: 'roles',
  client_id: 'client',
  amr: 'how the user authenticated',
};

/** "in 4 min 10 s" or "3 h ago". */
export function relative(milliseconds) {
  const ahead = milliseconds >= 0;
  let seconds = Math.round(Math.abs(milliseconds) / 1000);
  const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  const pieces = [];
  for (const [unit, size] of units) {
    if (seconds >= size && pieces.length < 2) {
      pieces.push(`${Math.floor(seconds / size)} ${unit}`);
      seconds %= size;
    }
  }
  const text = pieces.length ? pieces.join(' ') : '0 s';
  return ahead ? `in ${text}` : `${text} ago`;
}

/** A NumericDate claim as a local date and time, or null when it is not a number. */
export function localTime(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
