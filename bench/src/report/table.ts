import type { TargetSummary } from '../compare';
import { describeCounts, totalCount } from '../load/cache-status';
import type { Estimate } from '../breaker/figures';
import type { BreakerResult } from '../breaker/run';
import type { Spread } from '../stats';
import type { BenchResults } from './model';

// Beyond this the open-loop sender itself was starved and its percentiles say more about the machine than the server.
const SENDER_LAG_WARN_MS = 5;
const W = { label: 40, ok: 24, p50: 26, p99: 26 };

const n = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const range = (s: Spread, digits = 0): string => `${n(s.median, digits)} [${n(s.min, digits)}-${n(s.max, digits)}]`;
const percent = (s: Spread): Spread => ({ median: 100 * s.median, min: 100 * s.min, max: 100 * s.max });

/** CPU ms per successful request by process, and their sum. */
function cpuLine(perProcess: Record<string, number>): string {
  const total = Object.values(perProcess).reduce((sum, ms) => sum + (Number.isFinite(ms) ? ms : 0), 0);
  const parts = Object.entries(perProcess).map(([name, ms]) => `${name.replace(/ \(.*\)$/, '')} ${n(ms, 2)}`);
  return `ms per ok request: ${parts.join(', ')}; total ${n(total, 2)}`;
}

function targetRow(label: string, name: string, summary: TargetSummary | undefined): string {
  if (!summary) return `${label.padEnd(W.label)} ${name.padEnd(9)} (not run)`;
  return [
    label.padEnd(W.label),
    name.padEnd(9),
    range(summary.okPerSecond).padEnd(W.ok),
    range(summary.p50, 1).padEnd(W.p50),
    range(summary.p99, 1).padEnd(W.p99),
    `${summary.non2xx}/${summary.errors}`,
  ].join(' ');
}

const interval = (figure: Estimate, digits: number): string =>
  `${range(figure.rounds, digits)} %, median within ${n(figure.medianInterval.low, digits)}..${n(figure.medianInterval.high, digits)} %`;

/** The breaker micro-benchmark: the judged isolated figure first, then the in-situ and whole-client comparisons. */
export function breakerLines(b: BreakerResult): string[] {
  const iso = b.breakerIsolated;
  return [
    `Breaker micro-benchmark (${b.rounds} rounds; ${b.concurrency} concurrent gRPC calls, ${b.sliceMs} ms slices, in-memory gRPC server in its own process; load average ${n(b.loadAverage.atStart, 1)} -> ${n(b.loadAverage.atEnd, 1)}):`,
    `  breaker, isolated (judged): ${interval(iso, 2)} of a gRPC call's client CPU; the breaker ${range(iso.breakerUsPerCall, 2)} µs per call ` +
      `(createCallBreaker around an action that resolves at once, minus the action's ${range(iso.actionUsPerCall, 2)} µs; ${n(b.isolatedCalls)}-call slices) ` +
      `over the gRPC call's ${range(b.directCpuUsPerCall)} µs`,
    `  breaker, in situ: ${interval(b.breakerInSitu, 1)} (the platform's unary action through the breaker ${range(b.breakerCpuUsPerCall)} µs vs direct ${range(b.directCpuUsPerCall)} µs per call)`,
    `  whole client: ${interval({ rounds: b.overheadPercent, medianInterval: b.overheadMedianInterval }, 1)} (createServiceClient ${range(b.platformCpuUsPerCall)} µs vs plain grpc-js ${range(b.plainCpuUsPerCall)} µs per call)`,
    `  calls/s: plain ${range(b.plainPerSecond)}, platform ${range(b.platformPerSecond)} (throughput overhead ${range(b.throughputOverheadPercent, 1)} %)`,
  ];
}

/** The human-readable report: the same figures as the JSON file. */
export function formatReport(results: BenchResults): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, ${m.platform}`);
  lines.push(`Run: ${results.startedAt} .. ${results.finishedAt}; ${results.command}`);
  lines.push(`Load average (1 min) at start of measurements ${n(results.loadAverage.atStart, 2)}, at end ${n(results.loadAverage.atEnd, 2)} (other work on the machine skews absolute figures)`);
  if (!results.system.started) lines.push(`System: NOT RUN (${results.system.note ?? 'unknown reason'}); baseline figures only.`);
  if (results.catalog) lines.push(`Catalog: ${n(results.catalog.products)} products (${results.catalog.seededBy}); search words: ${results.catalog.searchWords.join(', ')}`);
  lines.push('');
  lines.push(`${'scenario'.padEnd(W.label)} ${'target'.padEnd(9)} ${'ok/s median [range]'.padEnd(W.ok)} ${'p50 ms'.padEnd(W.p50)} ${'p99 ms'.padEnd(W.p99)} non2xx/err`);
  for (const result of Object.values(results.scenarios)) {
    const c = result.comparison;
    const load = c.load.kind === 'open' ? `open loop ${c.load.level}/s` : `${c.load.level} conns`;
    lines.push(targetRow(result.title, 'edge', c.edge));
    lines.push(targetRow(`  (${load}, ${c.load.rounds}x${c.load.durationSeconds}s)`, 'baseline', c.baseline));
    if (c.ratio) lines.push(`${''.padEnd(W.label)} ${'ratio'.padEnd(9)} ${`${range(c.ratio, 2)} x`}`);
    for (const [name, summary] of [['edge', c.edge], ['baseline', c.baseline]] as const) {
      if (summary?.cpuMsPerOk) lines.push(`${''.padEnd(W.label)} ${`${name} CPU`.padEnd(12)} ${cpuLine(summary.cpuMsPerOk)}`);
    }
    if (result.cacheFill) {
      const fill = result.cacheFill;
      lines.push(`${''.padEnd(W.label)} ${'cache fill'.padEnd(12)} every product once before the warm-up: ${n(fill.requests)} requests in ${n(fill.seconds, 1)} s, ${describeCounts(fill.cacheStatus)}`);
    }
    const counts = c.edge?.cacheStatus;
    if (counts && totalCount(counts) > 0) {
      const ratio = c.edge?.hitRatio;
      const perRound = (counts.hit ?? 0) > 0 && ratio ? `; hit ratio per round ${range(percent(ratio), 2)} %` : '';
      lines.push(`${''.padEnd(W.label)} ${'edge cache'.padEnd(12)} Cache-Status over the measured windows: ${describeCounts(counts)}${perRound}`);
    }
    for (const [name, summary] of [['edge', c.edge], ['baseline', c.baseline]] as const) {
      if (summary?.sendLagP99 && summary.sendLagP99.median > SENDER_LAG_WARN_MS) {
        lines.push(`${''.padEnd(W.label)} note: the bench sent ${name} requests late (send lag p99 ${range(summary.sendLagP99, 1)} ms): it was short of CPU, latencies include that`);
      }
    }
  }
  if (results.memory) {
    lines.push('');
    lines.push('5 resident memory, peak VmRSS while under load (MB):');
    const peaks = results.memory.peakMb.peakByProcess;
    lines.push(`  ${Object.entries(peaks).map(([name, mb]) => `${name} ${n(mb)}`).join(', ')}`);
    lines.push(`  Node processes of the system (${results.memory.nodeProcesses.join(', ')}): ${n(results.memory.nodeTotalMb)} MB at the peak sample`);
  }
  if (results.breaker) lines.push('', ...breakerLines(results.breaker));
  lines.push('');
  lines.push(`Cache: ${results.cache}`);
  lines.push('Baseline:');
  for (const line of results.baseline) lines.push(`  - ${line}`);
  lines.push('');
  lines.push('Targets (informational, medians over rounds):');
  const width = (pick: (check: BenchResults['targets'][number]) => string): number => Math.max(0, ...results.targets.map((check) => pick(check).length));
  const [nameWidth, goalWidth, measuredWidth] = [width((t) => t.name), width((t) => t.goal), width((t) => t.measured)];
  for (const check of results.targets) {
    const verdict = check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : 'MISS';
    lines.push(`  ${check.name.padEnd(nameWidth)}  ${check.goal.padEnd(goalWidth)}  ${check.measured.padEnd(measuredWidth)}  ${verdict}${check.note ? ` (${check.note})` : ''}`);
  }
  return lines.join('\n');
}
