import { randomUUID } from 'node:crypto';
import type { RequestFactory } from './load/measurement';

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)]!;

/** Scenario 1: one product by a random id of the seeded catalog. */
export const productById = (ids: readonly string[]): RequestFactory => () => ({ method: 'GET', path: `/v1/products/${pick(ids)}` });

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
