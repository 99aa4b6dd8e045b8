import { createHash, timingSafeEqual } from 'node:crypto';
import { SERVICE_ID_PATTERN } from '../config/service-id.js';

/** Who made a request. `authenticated` is false in open mode (no token configured). */
export interface Caller {
  userId: string;
  authenticated: boolean;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; status: 401; message: string };

/**
 * Parses `PACTOWN_API_TOKENS`: comma-separated `user:token` pairs, e.g.
 * `user123:s3cret,user456:other`. Each token identifies one user.
 */
export function parseApiTokens(spec: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const raw of spec.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const colon = pair.indexOf(':');
    const user = colon > 0 ? pair.slice(0, colon) : '';
    const token = colon > 0 ? pair.slice(colon + 1) : '';
    if (!SERVICE_ID_PATTERN.test(user) || token.length < 8) {
      // The value holds secrets: name the position, never echo the token.
      throw new TypeError(
        `[@pactown/example-runner] PACTOWN_API_TOKENS must be comma-separated user:token pairs with tokens of 8+ characters (entry for ${JSON.stringify(user || '?')} is invalid)`,
      );
    }
    tokens.set(token, user);
  }
  if (tokens.size === 0)
    throw new TypeError('[@pactown/example-runner] PACTOWN_API_TOKENS is set but holds no user:token pair');
  return tokens;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Checks an `Authorization` header against the configured tokens. Comparison
 * is constant-time over digests, so timing does not reveal a token's prefix.
 */
export function authenticate(
  header: string | undefined,
  tokens: ReadonlyMap<string, string> | null,
  fallbackUser = 'anonymous',
): AuthResult {
  if (tokens === null) return { ok: true, caller: { userId: fallbackUser, authenticated: false } };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return { ok: false, status: 401, message: 'missing bearer token (Authorization: Bearer <token>)' };
  const offered = digest(match[1]!);
  let user: string | undefined;
  for (const [token, owner] of tokens) {
    if (timingSafeEqual(offered, digest(token))) user = owner;
  }
  if (user === undefined) return { ok: false, status: 401, message: 'invalid bearer token' };
  return { ok: true, caller: { userId: user, authenticated: true } };
}

/** True when `caller` may see or stop a service owned by `ownerId`. Open mode sees everything. */
export function canAccess(caller: Caller, ownerId: string | undefined): boolean {
  return !caller.authenticated || caller.userId === ownerId;
}
