import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  /** Epoch ms after which the entry is no answer: min(token exp, time cached + TTL). */
  until: number;
  /** The key set the token was verified against: a refreshed set (rotation, revoked key) re-verifies. */
  keys: object;
}

export interface VerifiedTokenCacheOptions {
  maxEntries: number;
  ttlMs: number;
  now: () => number;
}

/**
 * Tokens that verified, by their exact text: every hop of a checkout presents the same token, and an Ed25519
 * verification costs far more than a map lookup. Bounded (oldest used entry evicted first), short-lived, and an
 * entry never outlives its token's exp nor the key set it was verified with. Failures are never stored, so a
 * forged or tampered token (a different string) always goes through full verification.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: VerifiedTokenCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string, keys: object | undefined): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.keys !== keys || this.options.now() >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    // Map order is the eviction order: a hit moves the token to the young end.
    this.entries.delete(token);
    this.entries.set(token, entry);
    return { ...entry.principal };
  }

  /** Stores a verified token; `expiresAtSeconds` is its exp claim. */
  set(token: string, keys: object, principal: Principal, expiresAtSeconds: number): void {
    if (this.options.maxEntries <= 0) return;
    const now = this.options.now();
    const until = Math.min(expiresAtSeconds * 1000, now + this.options.ttlMs);
    if (until <= now) return;
    this.entries.delete(token);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { principal: { ...principal }, until, keys });
  }
}
