import { status } from '@grpc/grpc-js';
import { DomainError } from '@shop/platform';
import { resolveSort, validateFilters } from '../src/domain/listing';
import { resolveUpdateMask, validateNewProduct } from '../src/domain/product';
import { normalizeReservationRequest, outcomeOfNoop, resolveTtlSeconds, sameItems } from '../src/domain/reservation';

// The domain alone: no database, no gRPC. The behaviour it decides is also covered end to end in the other suites.

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : -1;
  }
  return undefined;
};

describe('reservation state machine', () => {
  it('treats repeats as replays and forbidden moves as FAILED_PRECONDITION', () => {
    expect(outcomeOfNoop('COMMIT', 'COMMITTED')).toBe('replay');
    expect(outcomeOfNoop('RELEASE', 'RELEASED')).toBe('replay');
    expect(outcomeOfNoop('RELEASE', 'EXPIRED')).toBe('replay');
    expect(outcomeOfNoop('RESTOCK', 'RESTOCKED')).toBe('replay');
    const releaseAfterCommit = outcomeOfNoop('RELEASE', 'COMMITTED');
    expect(releaseAfterCommit).toBeInstanceOf(DomainError);
    expect((releaseAfterCommit as DomainError).code).toBe(status.FAILED_PRECONDITION);
    expect((outcomeOfNoop('COMMIT', 'EXPIRED') as DomainError).reason).toBe('RESERVATION_EXPIRED');
    expect((outcomeOfNoop('RESTOCK', 'HELD') as DomainError).reason).toBe('INVALID_STATE_TRANSITION');
  });

  it('merges repeated products and sorts items by product id (the lock order)', () => {
    const { items } = normalizeReservationRequest('order-1', [
      { productId: B, quantity: 1 },
      { productId: A, quantity: 2 },
      { productId: B.toUpperCase(), quantity: 3 },
    ]);
    expect(items).toEqual([{ productId: A, quantity: 2 }, { productId: B, quantity: 4 }]);
    expect(sameItems(items, [{ productId: B, quantity: 4 }, { productId: A, quantity: 2 }])).toBe(true);
    expect(sameItems(items, [{ productId: A, quantity: 2 }])).toBe(false);
  });

  it('bounds the TTL', () => {
    expect(resolveTtlSeconds(undefined, 900)).toBe(900);
    expect(resolveTtlSeconds(30, 900)).toBe(30);
    expect(codeOf(() => resolveTtlSeconds(-1, 900))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => resolveTtlSeconds(10 ** 9, 900))).toBe(status.INVALID_ARGUMENT);
  });
});

describe('catalog rules', () => {
  it('resolves update masks in either spelling, implies one from populated fields, and refuses unknown paths', () => {
    expect([...resolveUpdateMask(['image_urls', 'price.amount_minor'], {})].sort()).toEqual(['imageUrls', 'price']);
    expect([...resolveUpdateMask([], { name: 'x', category: 'y' })].sort()).toEqual(['category', 'name']);
    expect(codeOf(() => resolveUpdateMask(['create_time'], {}))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => resolveUpdateMask([], {}))).toBe(status.INVALID_ARGUMENT);
  });

  it('validates new products', () => {
    expect(validateNewProduct({ sku: 'A-1', name: ' Lamp ', priceMinor: 100n, currency: 'USD', category: 'home' })).toMatchObject({
      name: 'Lamp',
      description: '',
      imageUrls: [],
      active: true,
    });
    expect(codeOf(() => validateNewProduct({ sku: 'A-1', name: 'Lamp', currency: 'USD', category: 'home' }))).toBe(status.INVALID_ARGUMENT);
  });

  it('sorts by relevance only when searching and rejects inverted price ranges', () => {
    expect(resolveSort(undefined, '')).toBe('NEWEST');
    expect(resolveSort(undefined, 'lamp')).toBe('RELEVANCE');
    expect(resolveSort('PRICE_ASC', 'lamp')).toBe('PRICE_ASC');
    const filters = { query: '', category: '', minPriceMinor: 10n, maxPriceMinor: 1n, includeInactive: false, sort: 'NEWEST' as const };
    expect(codeOf(() => validateFilters(filters))).toBe(status.INVALID_ARGUMENT);
  });
});
