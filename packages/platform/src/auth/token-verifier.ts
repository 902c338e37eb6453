import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { DomainError, unauthenticated, unavailable } from '../errors/domain-error';
import { isRole, type Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

/** Algorithms access tokens may use. Anything else (none, HS256 with a public key as secret...) is refused. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

export interface TokenVerifier {
  /** Verifies a compact JWT; UNAUTHENTICATED DomainError when it is not a valid access token. */
  verify(token: string): Promise<Principal>;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Returns the current public keys; called at first use and when a token names an unknown kid. */
  keys: () => Promise<JWK[]>;
  /** Least time between two key refreshes caused by unknown kids, so forged kids cannot flood the key source. */
  refreshCooldownMs?: number;
  clockToleranceSeconds?: number;
  /** Verified tokens remembered (see VerifiedTokenCache); 0 turns the cache off. Default 10,000. */
  cacheMaxEntries?: number;
  /** Longest a verified token is answered from the cache (never past its exp). Default 60 s. */
  cacheTtlMs?: number;
  /** The clock (epoch ms) of the exp/nbf checks and of the cache; tests move it. */
  now?: () => number;
}

const INVALID_TOKEN = 'Invalid or expired access token';

/** The key source could not be read and no keys are cached: the token cannot be judged either way. */
class KeysUnavailableError extends Error {}

/**
 * Verifies access tokens locally against cached public keys: no call to the user service per request. The cache
 * is refreshed when a token names a kid it does not know (key rotation), at most once per cooldown. Tokens that
 * verified are remembered briefly (every hop of a request presents the same one): see VerifiedTokenCache.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const cooldown = options.refreshCooldownMs ?? 30_000;
  let keySet: { jwks: JSONWebKeySet; resolve: JWTVerifyGetKey } | undefined;
  let lastRefresh = 0;
  let inflight: Promise<void> | undefined;

  const refresh = async (): Promise<void> => {
    inflight ??= (async () => {
      try {
        const jwks: JSONWebKeySet = { keys: await options.keys() };
        keySet = { jwks, resolve: createLocalJWKSet(jwks) };
        lastRefresh = Date.now();
      } finally {
        inflight = undefined;
      }
    })();
    await inflight;
  };

  const knows = (kid: string | undefined) => keySet?.jwks.keys.some((key) => key.kid === kid) ?? false;

  /** The key set a verification used, so that its cache entry ends when that set is replaced. */
  const keysFor = (used: { keys?: object }): JWTVerifyGetKey => async (header, token) => {
    if (!keySet || (!knows(header.kid) && Date.now() - lastRefresh >= cooldown)) {
      try {
        await refresh();
      } catch (error) {
        if (!keySet) throw new KeysUnavailableError('signing keys unavailable', { cause: error });
      }
    }
    used.keys = keySet;
    return keySet!.resolve(header, token);
  };

  const now = options.now ?? Date.now;
  const cache = new VerifiedTokenCache({ maxEntries: options.cacheMaxEntries ?? 10_000, ttlMs: options.cacheTtlMs ?? 60_000, now });

  return {
    async verify(token) {
      const cached = cache.get(token, keySet);
      if (cached) return cached;
      const used: { keys?: object } = {};
      try {
        const { payload } = await jwtVerify(token, keysFor(used), {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ACCESS_TOKEN_ALGORITHMS,
          clockTolerance: options.clockToleranceSeconds ?? 5,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
          // One clock for the claims and the cache.
          currentDate: new Date(now()),
        });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || !isRole(role) || typeof payload.jti !== 'string') {
          throw unauthenticated(INVALID_TOKEN);
        }
        const principal: Principal = { userId: payload.sub, role, tokenId: payload.jti };
        // Only a token that passed every check is remembered; exp is present (requiredClaims).
        if (used.keys !== undefined && typeof payload.exp === 'number') cache.set(token, used.keys, principal, payload.exp);
        return principal;
      } catch (error) {
        // A valid token must not be answered "invalid" (clients would sign their users out) while keys are unreadable.
        if (error instanceof KeysUnavailableError) {
          throw unavailable('SIGNING_KEYS_UNAVAILABLE', 'Access tokens cannot be verified right now, try again shortly', 1);
        }
        if (error instanceof DomainError) throw error;
        throw unauthenticated(INVALID_TOKEN);
      }
    },
  };
}
