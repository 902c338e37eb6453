import { classifyCacheStatus, describeCounts, headerValue, hitRatio, sumCounts, totalCount, type CacheStatusCounts } from './cache-status';

describe('classifyCacheStatus', () => {
  it.each([
    ['edge; hit', 'hit'],
    ['edge; fwd=uri-miss', 'fwd=uri-miss'],
    ['edge; fwd=request', 'fwd=request'],
    ['edge; fwd=bypass', 'fwd=bypass'],
    ['Edge; FWD=Uri-Miss; stored', 'fwd=uri-miss'],
    ['edge; hit; ttl=30', 'hit'],
    ['edge ;  fwd=request ; detail="no-cache, please"', 'fwd=request'],
  ])('%s -> %s', (value, expected) => {
    expect(classifyCacheStatus(value)).toBe(expected);
  });

  it('takes the edge member of a list, the last when it appears twice', () => {
    expect(classifyCacheStatus('origin-cache; hit, edge; fwd=uri-miss')).toBe('fwd=uri-miss');
    expect(classifyCacheStatus(['edge; hit', 'edge; fwd=bypass'])).toBe('fwd=bypass');
    expect(classifyCacheStatus('cdn; detail="a, edge; hit", edge; fwd=request')).toBe('fwd=request');
  });

  it('tells an absent header from one that says nothing about the edge', () => {
    expect(classifyCacheStatus(undefined)).toBe('absent');
    expect(classifyCacheStatus(null)).toBe('absent');
    expect(classifyCacheStatus('  ')).toBe('absent');
    expect(classifyCacheStatus('cdn; hit')).toBe('other');
    expect(classifyCacheStatus('edge')).toBe('other');
    expect(classifyCacheStatus('edge; stored')).toBe('other');
  });
});

describe('counts', () => {
  const round1: CacheStatusCounts = { hit: 98, 'fwd=uri-miss': 2 };
  const round2: CacheStatusCounts = { hit: 100 };

  it('sums rounds and gives the hit ratio of the whole', () => {
    const total = sumCounts([round1, undefined, round2]);
    expect(total).toEqual({ hit: 198, 'fwd=uri-miss': 2 });
    expect(totalCount(total!)).toBe(200);
    expect(hitRatio(total!)).toBeCloseTo(0.99);
  });

  it('has no sum when nothing was counted, and no ratio over zero answers', () => {
    expect(sumCounts([undefined])).toBeUndefined();
    expect(hitRatio({})).toBeNaN();
    expect(describeCounts({})).toBe('no answers counted');
  });

  it('describes the shares, largest first', () => {
    expect(describeCounts({ 'fwd=uri-miss': 1, hit: 3 })).toBe('hit 75.00%, fwd=uri-miss 25.00% of 4 answers');
    expect(describeCounts({ absent: 5 })).toBe('no Cache-Status 100% of 5 answers');
  });
});

describe('headerValue', () => {
  it('finds a header whatever the spelling the server used', () => {
    expect(headerValue({ 'Cache-Status': 'edge; hit' }, 'cache-status')).toBe('edge; hit');
    expect(headerValue({ etag: 'x' }, 'cache-status')).toBeUndefined();
  });
});
