import type { TargetSummary } from '../compare';
import { describeCounts, hitRatio, totalCount } from '../load/cache-status';
import type { BenchResults, TargetCheck } from './model';

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export const PATH_LABELS = {
  uncached: 'uncached (every request reaches PostgreSQL)',
  cached: 'edge cache, invalidated by the change feed',
} as const;

/**
 * A target judged on a product-read figure (ratio or p99) of one path. The cached figure is judged only when the cache served
 * some of the measured answers: without hits (no cache yet, or switched off) it is the uncached path again and a
 * PASS or MISS would be credited to the wrong line.
 */
function pathCheck(
  base: { name: string; goal: string },
  path: 'uncached' | 'cached',
  value: number | undefined,
  measured: (value: number) => string,
  passes: (value: number) => boolean,
  edge: TargetSummary | undefined,
): TargetCheck {
  const counts = edge?.cacheStatus;
  const ratio = counts ? hitRatio(counts) : Number.NaN;
  const check: TargetCheck = { name: `${base.name}, ${PATH_LABELS[path]}`, goal: base.goal, measured: value === undefined ? 'n/a' : measured(value), path };
  if (path === 'cached' && counts) check.hitRatio = ratio;
  if (value === undefined) return check;
  const hits = counts?.hit ?? 0;
  if (path === 'cached' && hits === 0) {
    check.note = `no cache hits (${counts ? describeCounts(counts) : 'Cache-Status not counted'}): this is the uncached path, not judged`;
    return check;
  }
  check.pass = passes(value);
  if (path === 'cached') check.note = `cache hits ${fmt(100 * ratio, 2)}% of the measured answers`;
  // The uncached figure is only what it claims when the cache served none of it.
  if (path === 'uncached' && counts && hits > 0) {
    check.pass = undefined;
    check.note = `${hits} of ${totalCount(counts)} answers were cache hits: not the uncached path, not judged`;
  }
  return check;
}

/** The issue's targets, judged on medians over rounds. Informational: the bench never fails on them. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const readGoal = { name: 'product read vs baseline', goal: '>= 0.5x' };
  for (const [scenario, path] of [['read', 'uncached'], ['read-cached', 'cached']] as const) {
    const comparison = results.scenarios[scenario]?.comparison;
    checks.push(pathCheck(readGoal, path, comparison?.ratio?.median, (x) => `${fmt(x)}x`, (x) => x >= 0.5, comparison?.edge));
  }

  const checkout = results.scenarios.checkout?.comparison;
  const orders = checkout?.edge?.okPerSecond.median;
  checks.push({ name: 'checkout throughput', goal: '>= 400 orders/s', measured: orders === undefined ? 'n/a' : `${fmt(orders, 0)} orders/s`, pass: orders === undefined ? undefined : orders >= 400 });
  const checkoutRatio = checkout?.ratio;
  checks.push({
    name: 'checkout vs one-process baseline',
    goal: '>= 0.3x',
    measured: checkoutRatio ? `${fmt(checkoutRatio.median)}x` : 'n/a',
    pass: checkoutRatio ? checkoutRatio.median >= 0.3 : undefined,
  });

  for (const [scenario, path] of [['openloop', 'uncached'], ['openloop-cached', 'cached']] as const) {
    const comparison = results.scenarios[scenario]?.comparison;
    const rate = comparison?.load.level ?? 1000;
    const goal = { name: `p99 at ${rate} req/s (edge)`, goal: '<= 30 ms' };
    // The baseline's p99 at the same rate, alongside: how much of the tail is the machine's.
    const baselineP99 = comparison?.baseline?.p99.median;
    const measured = (ms: number): string => `${fmt(ms, 1)} ms${baselineP99 === undefined ? '' : ` (baseline ${fmt(baselineP99, 1)} ms)`}`;
    checks.push(pathCheck(goal, path, comparison?.edge?.p99.median, measured, (ms) => ms <= 30, comparison?.edge));
  }

  const breaker = results.breaker;
  // Judged by the ~95% interval of the median round: a pass needs all of it at or under the target, a miss all of
  // it above; an interval that straddles 3% cannot tell, and says so rather than pass or fail.
  const interval = breaker?.overheadMedianInterval;
  checks.push({
    name: 'breaker overhead (platform client vs plain grpc-js, client CPU per call)',
    goal: '<= 3%',
    measured: breaker ? `${fmt(breaker.overheadPercent.median, 1)}%` : 'n/a',
    pass: interval === undefined ? undefined : interval.high <= 3 ? true : interval.low > 3 ? false : undefined,
    note: interval && interval.low <= 3 && interval.high > 3 ? `median within ${fmt(interval.low, 1)}..${fmt(interval.high, 1)}%: too noisy to judge` : undefined,
  });

  const memory = results.memory;
  checks.push({
    name: `${memory?.nodeProcesses.length ?? 5} Node processes, peak RSS under load`,
    goal: '< 800 MB',
    measured: memory ? `${fmt(memory.nodeTotalMb, 0)} MB` : 'n/a',
    pass: memory ? memory.nodeTotalMb < 800 : undefined,
  });
  return checks;
}
