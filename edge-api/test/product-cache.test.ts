import { ProductCache } from '../src/cache/product-cache';
import { cachedProduct } from './support/fixtures';

const value = cachedProduct;

/** A read that begins and settles with nothing in between: what an uncontended miss does. */
const read = (cache: ProductCache, id: string, version = 1) => cache.settle(cache.begin(id), value(id, version));

describe('product cache', () => {
  let cache: ProductCache;
  beforeEach(() => {
    cache = new ProductCache(3);
    cache.enable();
  });

  it('stores what a read settles with and answers it afterwards', () => {
    expect(cache.get('a')).toBeUndefined();
    expect(read(cache, 'a')).toBe(true);
    expect(cache.get('a')).toEqual(value('a'));
    expect(cache.inFlightIds).toBe(0);
  });

  it('keys ids in lower case: an upper-case read is invalidated by the feed, which names ids in lower case', () => {
    const id = 'AB3F0C1E-0000-4000-8000-00000000000A';
    expect(read(cache, id)).toBe(true);
    expect(cache.get(id.toLowerCase())).toBeDefined();
    cache.invalidate(id.toLowerCase());
    expect(cache.get(id)).toBeUndefined();
  });

  it('answers an entry for at most maxAgeMs after it was stored', () => {
    let now = 1_000;
    const aging = new ProductCache(3, 60_000, () => now);
    aging.enable();
    read(aging, 'a');
    now += 59_999;
    expect(aging.get('a')).toBeDefined();
    now += 1;
    expect(aging.get('a')).toBeUndefined();
    expect(aging.size).toBe(0);
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    read(cache, 'a');
    read(cache, 'b');
    read(cache, 'c');
    // A hit makes "a" the most recently used, so "b" is the oldest when "d" arrives.
    expect(cache.get('a')).toBeDefined();
    read(cache, 'd');
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.get(id)?.etag)).toEqual(['"a-1"', '"c-1"', '"d-1"']);
  });

  it('replaces an entry that a later read refreshes, without growing', () => {
    read(cache, 'a');
    read(cache, 'a', 2);
    expect(cache.size).toBe(1);
    expect(cache.get('a')?.etag).toBe('"a-2"');
  });

  it('does not store a read that was in flight while its id was invalidated, but stores the reads begun after', () => {
    read(cache, 'a');
    const before = cache.begin('a');
    cache.invalidate('a');
    expect(cache.get('a')).toBeUndefined();
    const after = cache.begin('a');
    // The read begun before the change may carry the old value: dropped, even though it settles last.
    expect(cache.settle(after, value('a', 2))).toBe(true);
    expect(cache.settle(before, value('a', 1))).toBe(false);
    expect(cache.get('a')?.etag).toBe('"a-2"');
    expect(cache.inFlightIds).toBe(0);
  });

  it('only invalidates the id it names', () => {
    const other = cache.begin('b');
    cache.invalidate('a');
    expect(cache.settle(other, value('b'))).toBe(true);
  });

  it('keeps its in-flight bookkeeping bounded: an id leaves it when its last read settles, with or without a value', () => {
    const tickets = ['a', 'a', 'b'].map((id) => cache.begin(id));
    expect(cache.inFlightIds).toBe(2);
    cache.invalidate('a');
    for (const ticket of tickets) cache.settle(ticket);
    expect(cache.inFlightIds).toBe(0);
    expect(cache.size).toBe(0);
    // A failed read (no value) stores nothing.
    expect(cache.settle(cache.begin('c'))).toBe(false);
    expect(cache.get('c')).toBeUndefined();
  });

  it('clears everything on disable and drops the reads in flight across it, even once enabled again', () => {
    read(cache, 'a');
    const inFlight = cache.begin('b');
    cache.disable();
    expect(cache.enabled).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.inFlightIds).toBe(0);
    cache.enable();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.settle(inFlight, value('b'))).toBe(false);
    expect(cache.get('b')).toBeUndefined();
  });

  it('stores nothing while disabled, and nothing from a read begun while disabled', () => {
    cache.disable();
    expect(read(cache, 'a')).toBe(false);
    expect(cache.size).toBe(0);
    const begunWhileOff = cache.begin('b');
    expect(cache.inFlightIds).toBe(0);
    cache.enable();
    // Begun before the feed was confirmed: the value may predate a change nobody reported.
    expect(cache.settle(begunWhileOff, value('b'))).toBe(false);
    expect(cache.get('b')).toBeUndefined();
    expect(read(cache, 'b')).toBe(true);
  });

  it('answers nothing while disabled', () => {
    read(cache, 'a');
    cache.disable();
    expect(cache.get('a')).toBeUndefined();
  });

  it('needs room for at least one entry', () => {
    expect(() => new ProductCache(0)).toThrow(RangeError);
  });
});
