import type { Comparison, Load, TargetSummary } from '../compare';
import type { CacheStatusCounts } from '../load/cache-status';
import { spread } from '../stats';
import type { BenchResults, LoadScenario } from './model';
import { checkTargets, PATH_LABELS } from './targets';

const closed: Load = { kind: 'closed', level: 32, durationSeconds: 8, warmupSeconds: 3, rampSeconds: 2, rounds: 3 };
const open: Load = { ...closed, kind: 'open', level: 1000, rampSeconds: 0 };

function summary(p99: number, cacheStatus?: CacheStatusCounts): TargetSummary {
  return { okPerSecond: spread([1000]), p50: spread([1]), p99: spread([p99]), non2xx: 0, errors: 0, ...(cacheStatus ? { cacheStatus } : {}) };
}

function comparison(load: Load, ratio: number | undefined, edgeP99: number, cacheStatus?: CacheStatusCounts): Comparison {
  return { load, rounds: [], edge: summary(edgeP99, cacheStatus), baseline: summary(20), ...(ratio === undefined ? {} : { ratio: spread([ratio]) }) };
}

function results(scenarios: Partial<Record<LoadScenario, Comparison>>): Omit<BenchResults, 'targets'> {
  return {
    startedAt: '',
    finishedAt: '',
    command: '',
    machine: { cpus: 2, cpuModel: '', node: '', platform: '', memoryGb: 1 },
    loadAverage: { atStart: 0, atEnd: 0 },
    options: {},
    system: { started: true },
    baseline: [],
    scenarios: Object.fromEntries(Object.entries(scenarios).map(([name, c]) => [name, { title: name, comparison: c }])),
    cache: '',
  };
}

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
