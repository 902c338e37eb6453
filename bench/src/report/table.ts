import type { TargetSummary } from '../compare';
import type { Spread } from '../stats';
import type { BenchResults } from './model';

const n = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const range = (s: Spread, digits = 0): string => `${n(s.median, digits)} [${n(s.min, digits)}-${n(s.max, digits)}]`;

function targetRow(label: string, name: string, summary: TargetSummary | undefined): string {
  if (!summary) return `${label.padEnd(30)} ${name.padEnd(9)} (not run)`;
  return [
    label.padEnd(30),
    name.padEnd(9),
    range(summary.okPerSecond).padEnd(24),
    range(summary.p50, 1).padEnd(20),
    range(summary.p99, 1).padEnd(22),
    `${summary.non2xx}/${summary.errors}`,
  ].join(' ');
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
  lines.push(`${'scenario'.padEnd(30)} ${'target'.padEnd(9)} ${'ok/s median [range]'.padEnd(24)} ${'p50 ms'.padEnd(20)} ${'p99 ms'.padEnd(22)} non2xx/err`);
  for (const result of Object.values(results.scenarios)) {
    const c = result.comparison;
    const load = c.load.kind === 'open' ? `open loop ${c.load.level}/s` : `${c.load.level} conns`;
    lines.push(targetRow(result.title, 'edge', c.edge));
    lines.push(targetRow(`  (${load}, ${c.load.rounds}x${c.load.durationSeconds}s)`, 'baseline', c.baseline));
    if (c.ratio) lines.push(`${''.padEnd(30)} ${'ratio'.padEnd(9)} ${`${range(c.ratio, 2)} x`}`);
  }
  if (results.memory) {
    lines.push('');
    lines.push('5 resident memory, peak VmRSS while under load (MB):');
    const peaks = results.memory.peakMb.peakByProcess;
    lines.push(`  ${Object.entries(peaks).map(([name, mb]) => `${name} ${n(mb)}`).join(', ')}`);
    lines.push(`  Node processes of the system (${results.memory.nodeProcesses.join(', ')}): ${n(results.memory.nodeTotalMb)} MB at the peak sample`);
  }
  if (results.breaker) {
    const b = results.breaker;
    lines.push('');
    lines.push(`Breaker micro-benchmark (${b.concurrency} concurrent calls, ${b.durationSeconds}s rounds, in-memory gRPC server in its own process):`);
    lines.push(`  plain grpc-js ${range(b.plainPerSecond)} calls/s; platform createServiceClient ${range(b.platformPerSecond)} calls/s; overhead ${range(b.overheadPercent, 1)} %`);
  }
  lines.push('');
  lines.push(`Cache: ${results.cache}`);
  lines.push('Baseline:');
  for (const line of results.baseline) lines.push(`  - ${line}`);
  lines.push('');
  lines.push('Targets (informational, medians over rounds):');
  for (const check of results.targets) {
    const verdict = check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : 'MISS';
    lines.push(`  ${check.name.padEnd(52)} ${check.goal.padEnd(16)} ${check.measured.padEnd(16)} ${verdict}`);
  }
  return lines.join('\n');
}
