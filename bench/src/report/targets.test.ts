import type { Comparison, Load, TargetSummary } from '../compare';
import type { CacheStatusCounts } from '../load/cache-status';
import { spread } from '../stats';
import type { BenchResults, LoadScenario } from './model';
import type { BreakerResult } from '../breaker/run';
import { benchResults } from './bench-results.fixture';
import { breakerResult } from './breaker-result.fixture';
import { breakerChecks, checkTargets, PATH_LABELS } from './targets';

const closed: Load = { kind: 'closed', level: 32, durationSeconds: 8, warmupSeconds: 3, rampSeconds: 2, rounds: 3 };
const open: Load = { ...closed, kind: 'open', level: 1000, rampSeconds: 0 };

function summary(p99: number, cacheStatus?: CacheStatusCounts): TargetSummary {
  return { okPerSecond: spread([1000]), p50: spread([1]), p99: spread([p99]), non2xx: 0, errors: 0, ...(cacheStatus ? { cacheStatus } : {}) };
}

function comparison(load: Load, ratio: number | undefined, edgeP99: number, cacheStatus?: CacheStatusCounts): Comparison {
  return { load, rounds: [], edge: summary(edgeP99, cacheStatus), baseline: summary(20), ...(ratio === undefined ? {} : { ratio: spread([ratio]) }) };
}

const results = (scenarios: Partial<Record<LoadScenario, Comparison>>): Omit<BenchResults, 'targets'> =>
  benchResults(Object.fromEntries(Object.entries(scenarios).map(([name, c]) => [name, { title: name, comparison: c }])));

const find = (checks: ReturnType<typeof checkTargets>, start: string, path: 'uncached' | 'cached') => {
  const check = checks.find((c) => c.name.startsWith(start) && c.path === path);
  if (!check) throw new Error(`no ${path} check ${start}`);
  return check;
};

describe('checkTargets: read and open-loop targets per path', () => {
  it('judges the uncached and the cached figures apart, labelled by path', () => {
    const checks = checkTargets(
      results({
        read: comparison(closed, 0.3, 50, { 'fwd=request': 100 }),
        'read-cached': comparison(closed, 1.2, 10, { hit: 99, 'fwd=uri-miss': 1 }),
        openloop: comparison(open, undefined, 8000, { 'fwd=request': 100 }),
        'openloop-cached': comparison(open, undefined, 12, { hit: 100 }),
      }),
    );
    const read = find(checks, 'product read vs baseline', 'uncached');
    expect(read).toMatchObject({ name: `product read vs baseline, ${PATH_LABELS.uncached}`, measured: '0.30x', pass: false });
    const readCached = find(checks, 'product read vs baseline', 'cached');
    expect(readCached).toMatchObject({ name: `product read vs baseline, ${PATH_LABELS.cached}`, measured: '1.20x', pass: true });
    expect(readCached.hitRatio).toBeCloseTo(0.99);
    expect(find(checks, 'p99 at 1000 req/s', 'uncached')).toMatchObject({ measured: '8000.0 ms (baseline 20.0 ms)', pass: false });
    expect(find(checks, 'p99 at 1000 req/s', 'cached')).toMatchObject({ measured: '12.0 ms (baseline 20.0 ms)', pass: true });
  });

  it('shows the read against a baseline gathering reads too, never judged', () => {
    const checks = checkTargets(results({ 'read-batched': comparison(closed, 0.42, 50, { 'fwd=request': 100 }) }));
    const check = find(checks, 'product read vs a baseline gathering reads too', 'uncached');
    expect(check).toMatchObject({ measured: '0.42x', goal: 'none (secondary)' });
    expect(check.pass).toBeUndefined();
    expect(find(checkTargets(results({})), 'product read vs a baseline gathering reads too', 'uncached').measured).toBe('n/a');
  });

  it('does not judge a cached figure without a single hit: that is the uncached path again', () => {
    const checks = checkTargets(results({ 'read-cached': comparison(closed, 0.3, 50, { absent: 100 }) }));
    const check = find(checks, 'product read vs baseline', 'cached');
    expect(check.pass).toBeUndefined();
    expect(check.note).toContain('no cache hits');
  });

  it('does not judge an uncached figure that the cache served in part', () => {
    const checks = checkTargets(results({ read: comparison(closed, 0.9, 50, { hit: 10, 'fwd=request': 90 }) }));
    const check = find(checks, 'product read vs baseline', 'uncached');
    expect(check.pass).toBeUndefined();
    expect(check.note).toContain('10 of 100 answers were cache hits');
  });

  it('lists both paths as not run when their scenarios were not chosen', () => {
    const checks = checkTargets(results({}));
    for (const path of ['uncached', 'cached'] as const) {
      for (const check of [find(checks, 'product read vs baseline', path), find(checks, 'p99 at 1000 req/s', path)]) {
        expect(check.measured).toBe('n/a');
        expect(check.pass).toBeUndefined();
      }
    }
  });
});

describe('breakerChecks: the breaker target judged on the isolated figure, two secondary figures beside it', () => {
  const estimate = (median: number, low: number, high: number) => ({ rounds: { median, min: low - 1, max: high + 1 }, medianInterval: { low, high } });
  const breaker = (isolated: [number, number, number], inSitu: [number, number, number], whole: [number, number, number]): BreakerResult =>
    breakerResult({ isolated: estimate(...isolated), inSitu: estimate(...inSitu), wholeClient: estimate(...whole) });

  it('passes the target when the isolated interval is at or under 3%, and credits a secondary figure only then too', () => {
    const [main, inSitu, whole] = breakerChecks(breaker([1.3, 1.15, 1.35], [2, -1, 2.9], [4, -10, 25]));
    expect(main).toMatchObject({ goal: '<= 3%', measured: '1.30% (median within 1.15..1.35%)', pass: true, note: 'the breaker 2.90 µs per call' });
    expect(main!.name).toBe("breaker overhead (the breaker's own CPU per call / a gRPC call's)");
    expect(inSitu).toMatchObject({ goal: '<= 3% (secondary)', measured: '2.00% (median within -1.00..2.90%)', pass: true });
    expect(whole).toMatchObject({ measured: '4.00% (median within -10.00..25.00%)' });
    expect(whole!.pass).toBeUndefined();
    expect(whole!.note).toContain('not judged');
  });

  it('misses when the whole interval is above 3%, and cannot tell when it straddles 3%', () => {
    expect(breakerChecks(breaker([4, 3.5, 4.5], [0, 0, 0], [0, 0, 0]))[0]!.pass).toBe(false);
    const [straddling] = breakerChecks(breaker([2.5, 2, 3.5], [0, 0, 0], [0, 0, 0]));
    expect(straddling!.pass).toBeUndefined();
    expect(straddling!.note).toContain('too noisy to judge');
  });

  it('never marks a secondary figure as a miss, even when all of its interval is above 3%', () => {
    const [, inSitu, whole] = breakerChecks(breaker([1, 1, 1], [8, 4, 12], [9, 5, 14]));
    expect(inSitu!.pass).toBeUndefined();
    expect(whole!.pass).toBeUndefined();
  });

  it('leaves the target undecided when the isolated figure passes but the in-situ interval lies wholly above 3%', () => {
    const [main] = breakerChecks(breaker([1, 0.9, 1.1], [8, 4, 12], [0, 0, 0]));
    expect(main!.pass).toBeUndefined();
    expect(main!.note).toContain('in-situ interval lies wholly above');
    // An in-situ interval that reaches down to 3% does not contradict the pass.
    expect(breakerChecks(breaker([1, 0.9, 1.1], [8, 3, 12], [0, 0, 0]))[0]!.pass).toBe(true);
  });

  it('lists all three as n/a when the micro-benchmark did not run', () => {
    const checks = breakerChecks(undefined);
    expect(checks.map((check) => [check.measured, check.pass])).toEqual([
      ['n/a', undefined],
      ['n/a', undefined],
      ['n/a', undefined],
    ]);
  });
});
