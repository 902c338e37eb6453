import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { DomainError, unauthenticated, unavailable } from '../errors/domain-error';
import { isRole, type Principal } from './principal';

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
}

const INVALID_TOKEN = 'Invalid or expired access token';

/** The key source could not be read and no keys are cached: the token cannot be judged either way. */
class KeysUnavailableError extends Error {}

/**
 * Verifies access tokens locally against cached public keys: no call to the user service per request. The cache
 * is refreshed when a token names a kid it does not know (key rotation), at most once per cooldown.
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

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!keySet || (!knows(header.kid) && Date.now() - lastRefresh >= cooldown)) {
      try {
        await refresh();
      } catch (error) {
        if (!keySet) throw new KeysUnavailableError('signing keys unavailable', { cause: error });
      }
    }
    return keySet!.resolve(header, token);
  };

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ACCESS_TOKEN_ALGORITHMS,
          clockTolerance: options.clockToleranceSeconds ?? 5,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || !isRole(role) || typeof payload.jti !== 'string') {
          throw unauthenticated(INVALID_TOKEN);
        }
        return { userId: payload.sub, role, tokenId: payload.jti };
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
