import type { BenchResults, TargetCheck } from './model';

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The targets, judged on medians over rounds. Informational: the bench never fails on them. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const read = results.scenarios.read?.comparison.ratio;
  checks.push({ name: 'product read vs baseline', goal: '>= 0.5x', measured: read ? `${fmt(read.median)}x` : 'n/a', pass: read ? read.median >= 0.5 : undefined });

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

  const open = results.scenarios.openloop?.comparison.edge;
  const rate = results.scenarios.openloop?.comparison.load.level ?? 1000;
  checks.push({ name: `p99 at ${rate} req/s (edge)`, goal: '<= 30 ms', measured: open ? `${fmt(open.p99.median, 1)} ms` : 'n/a', pass: open ? open.p99.median <= 30 : undefined });

  const breaker = results.breaker?.overheadPercent;
  // Rounds that disagree by more than twice the target cannot tell 3% from 0%: say so rather than pass or fail.
  const noisy = breaker !== undefined && breaker.max - breaker.min > 6;
  checks.push({
    name: 'breaker overhead (platform client vs plain grpc-js)',
    goal: '<= 3%',
    measured: breaker ? `${fmt(breaker.median, 1)}%` : 'n/a',
    pass: breaker && !noisy ? breaker.median <= 3 : undefined,
    note: noisy ? `rounds range ${fmt(breaker.min, 1)}..${fmt(breaker.max, 1)}%: too noisy to judge` : undefined,
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
