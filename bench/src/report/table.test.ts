import type { Comparison, Load, TargetSummary } from '../compare';
import type { CacheStatusCounts } from '../load/cache-status';
import { spread } from '../stats';
import { benchResults } from './bench-results.fixture';
import { breakerResult } from './breaker-result.fixture';
import { breakerLines, formatReport } from './table';
import { checkTargets } from './targets';

const load: Load = { kind: 'closed', level: 32, durationSeconds: 8, warmupSeconds: 3, rampSeconds: 2, rounds: 2 };

function summary(okPerSecond: number, cacheStatus: CacheStatusCounts, hitRatios: number[]): TargetSummary {
  return { okPerSecond: spread([okPerSecond]), p50: spread([1]), p99: spread([2]), non2xx: 0, errors: 0, cacheStatus, hitRatio: spread(hitRatios) };
}

function comparison(edgeOk: number, cacheStatus: CacheStatusCounts, hitRatios: number[]): Comparison {
  return { load, rounds: [], edge: summary(edgeOk, cacheStatus, hitRatios), baseline: summary(3000, { absent: 10 }, [0]), ratio: spread([edgeOk / 3000]) };
}

describe('formatReport: the product reads per path', () => {
  const partial = benchResults({
    read: { title: '1 GET /v1/products/{id} no-cache', comparison: comparison(900, { 'fwd=request': 7200 }, [0, 0]) },
    'read-cached': {
      title: '1c GET /v1/products/{id} edge cache',
      cacheFill: { requests: 10_000, ok: 10_000, seconds: 11, cacheStatus: { 'fwd=uri-miss': 10_000 } },
      comparison: comparison(2400, { hit: 19_990, 'fwd=uri-miss': 10 }, [0.999, 1]),
    },
  });
  const text = formatReport({ ...partial, targets: checkTargets(partial) });

  it('prints the cached read as its own scenario with its own ratio, fill pass and hit shares', () => {
    expect(text).toMatch(/1c GET \/v1\/products\/\{id\} edge cache\s+edge\s+2,400/);
    expect(text).toContain('ratio     0.80 [0.80-0.80] x');
    expect(text).toContain('every product once before the warm-up: 10,000 requests in 11.0 s, fwd=uri-miss 100% of 10,000 answers');
    expect(text).toContain('Cache-Status over the measured windows: hit 99.95%, fwd=uri-miss 0.05% of 20,000 answers; hit ratio per round 99.95 [99.90-100.00] %');
  });

  it('shows the uncached read as all fetched on request, without a hit ratio', () => {
    expect(text).toContain('Cache-Status over the measured windows: fwd=request 100% of 7,200 answers\n');
  });

  it('lists the read target once per path', () => {
    expect(text).toMatch(/product read vs baseline, uncached \(every request reaches PostgreSQL\)\s+>= 0.5x\s+0.30x\s+MISS/);
    expect(text).toMatch(/product read vs baseline, edge cache, invalidated by the change feed\s+>= 0.5x\s+0.80x\s+PASS \(cache hits 99.95% of the measured answers\)/);
  });
});

describe('breakerLines', () => {
  const figure = (median: number, low: number, high: number) => ({ rounds: { median, min: low, max: high }, medianInterval: { low, high } });
  const s = (value: number) => spread([value]);
  const lines = breakerLines(
    breakerResult({
      isolated: figure(1.31, 1.15, 1.35),
      inSitu: figure(8.7, -4.4, 22.2),
      wholeClient: { rounds: s(0.5), medianInterval: { low: -10.7, high: 25.8 } },
      cpuUsPerCall: { plain: 250, platform: 260, direct: 230, breaker: 240 },
    }),
  );

  it('leads with the judged isolated figure and its interval, then the in-situ and whole-client comparisons', () => {
    expect(lines[1]).toBe(
      "  breaker, isolated (judged): 1.31 [1.15-1.35] %, median within 1.15..1.35 % of a gRPC call's client CPU; the breaker 2.90 [2.90-2.90] µs per call " +
        "(createCallBreaker around an action that resolves at once, minus the action's 0.30 [0.30-0.30] µs; 5,000-call slices) over the gRPC call's 230 [230-230] µs",
    );
    expect(lines[2]).toContain('breaker, in situ: 8.7 [-4.4-22.2] %, median within -4.4..22.2 %');
    expect(lines[3]).toContain('whole client: 0.5 [0.5-0.5] %, median within -10.7..25.8 % (createServiceClient 260 [260-260] µs vs plain grpc-js 250 [250-250] µs per call)');
  });
});
