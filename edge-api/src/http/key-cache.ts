import type { JWK } from 'jose';

export interface KeyCache {
  /** Fetches the keys from the source now (the verifier calls this on first use and for unknown kids). */
  refresh(): Promise<JWK[]>;
  /** The last keys fetched, fetching when there are none or they are older than the max age. */
  current(): Promise<JWK[]>;
}

/**
 * Shares one fetch of the user service's public keys between the token verifier and /.well-known/jwks.json,
 * so that serving the JWK set never costs a user-service call per request either.
 */
export function createKeyCache(source: () => Promise<JWK[]>, maxAgeMs = 5 * 60_000): KeyCache {
  let cached: { keys: JWK[]; at: number } | undefined;
  let inflight: Promise<JWK[]> | undefined;
  const refresh = (): Promise<JWK[]> =>
    (inflight ??= source()
      .then((keys) => {
        cached = { keys, at: Date.now() };
        return keys;
      })
      .finally(() => {
        inflight = undefined;
      }));
  return {
    refresh,
    current: async () => (cached && Date.now() - cached.at < maxAgeMs ? cached.keys : refresh()),
  };
}
