import { randomUUID } from 'node:crypto';
import type { RequestFactory, RequestSpec } from './load/measurement';

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;

/**
 * Scenarios 1 and 4 send `Cache-Control: no-cache`: the edge then fetches from the product service whatever its
 * cache holds (`Cache-Status: edge; fwd=request`), so the figure stays the uncached path. The baseline ignores it.
 */
export const UNCACHED: Readonly<Record<string, string>> = { 'cache-control': 'no-cache' };

/** Scenarios 1 and 4 (and their cached twins, without headers): one product by a random id of the seeded catalog. */
export const productById =
  (ids: readonly string[], headers?: Readonly<Record<string, string>>, pathPrefix = ''): RequestFactory =>
  () => ({ method: 'GET', path: `${pathPrefix}/v1/products/${pick(ids)}`, ...(headers ? { headers: { ...headers } } : {}) });

/** The baseline's route that gathers product reads per event-loop turn, as the edge does (scenario 1b). */
export const BATCHED_BASELINE_PREFIX = '/batched';

/**
 * Every product of the catalog once, in order, before a cached scenario. With `Cache-Control: no-cache` each one is
 * fetched and stored afresh: entries left by an earlier scenario would otherwise keep their age and expire
 * (PRODUCT_CACHE_TTL_SECONDS) during the measured window.
 */
export const everyProduct = (ids: readonly string[]): RequestSpec[] =>
  ids.map((id) => ({ method: 'GET', path: `/v1/products/${id}`, headers: { ...UNCACHED } }));

/** Scenario 2: the first page of a full-text search for a word of the catalog. */
export const searchPage = (words: readonly string[]): RequestFactory => () => ({ method: 'GET', path: `/v1/products?q=${encodeURIComponent(pick(words))}` });

const EXP_YEAR = new Date().getUTCFullYear() + 3;

function orderBody(productId: string): string {
  return JSON.stringify({
    items: [{ productId, quantity: 1 }],
    card: { number: '4242424242424242', expMonth: 12, expYear: EXP_YEAR, cvc: '123' },
    shippingAddress: { name: 'Bench Buyer', line1: '1 Load Street', city: 'Testville', postalCode: '12345', country: 'US' },
  });
}

/**
 * Scenario 3: a fresh Idempotency-Key per order, one random product (stock is large, so no contention on one
 * row), the signed-in users taking turns. The edge gets a bearer token; the baseline, which verifies nothing,
 * gets the same user as a plain header.
 */
export function checkout(ids: readonly string[], identities: ReadonlyArray<Record<string, string>>): RequestFactory {
  let turn = 0;
  return () => {
    const identity = identities[turn++ % identities.length]!;
    return { method: 'POST', path: '/v1/orders', headers: { ...identity, 'idempotency-key': randomUUID() }, body: orderBody(pick(ids)) };
  };
}

export const edgeIdentities = (tokens: readonly string[]): Array<Record<string, string>> => tokens.map((token) => ({ authorization: `Bearer ${token}` }));
export const baselineIdentities = (count: number): Array<Record<string, string>> =>
  Array.from({ length: count }, (_, i) => ({ 'x-user-id': `baseline-user-${i}` }));
