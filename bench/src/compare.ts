import { hitRatio, sumCounts, totalCount, type CacheStatusCounts } from './load/cache-status';
import { runClosedLoop } from './load/closed-loop';
import type { Measurement, Target } from './load/measurement';
import { runOpenLoop } from './load/open-loop';
import { startCpuMeter } from './cpu';
import type { Watched } from './memory';
import { spread, type Spread } from './stats';

export interface Load {
  kind: 'closed' | 'open';
  /** Closed loop: concurrent connections. Open loop: requests per second. */
  level: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Closed loop: unmeasured seconds at the start of every run, until all connections are in their stride. */
  rampSeconds: number;
  rounds: number;
}

export interface TargetSummary {
  okPerSecond: Spread;
  p50: Spread;
  p99: Spread;
  non2xx: number;
  errors: number;
  /** Open loop only: the bench's own lateness in sending (p99 per round). */
  sendLagP99?: Spread;
  /** Median over rounds of CPU ms per successful request, by process. */
  cpuMsPerOk?: Record<string, number>;
  /** When counted: the measured windows' answers by `Cache-Status` class, summed over rounds. */
  cacheStatus?: CacheStatusCounts;
  /** When counted: the share of answers served by the cache, per round. */
  hitRatio?: Spread;
}

export interface Comparison {
  load: Load;
  rounds: Array<Partial<Record<Target['name'], Measurement>>>;
  edge?: TargetSummary;
  baseline?: TargetSummary;
  /** Closed loop: per round edge ok/s divided by baseline ok/s. */
  ratio?: Spread;
}

const MAX_RAMP_SECONDS = 10;

/** The round's cache hits, for the progress log (only where a Cache-Status header was seen at all). */
function roundCacheNote(m: Measurement): string {
  if (!m.cacheStatus || (m.cacheStatus.absent ?? 0) === totalCount(m.cacheStatus)) return '';
  return `  cache hits ${(100 * hitRatio(m.cacheStatus)).toFixed(2)}%`;
}

/** The processes whose CPU time is charged to each target's runs. */
export type CpuWatch = Partial<Record<Target['name'], readonly Watched[]>>;

async function measure(target: Target, load: Load, seconds: number, cpu?: readonly Watched[]): Promise<Measurement> {
  let meter: ReturnType<typeof startCpuMeter> | undefined;
  let used: Record<string, number> | undefined;
  const meterWindow = {
    opened: () => {
      if (cpu) meter = startCpuMeter(cpu);
    },
    closed: () => {
      used ??= meter?.stop();
    },
  };
  let m: Measurement;
  const countCacheStatus = target.cacheStatus !== undefined;
  if (load.kind === 'open') {
    meterWindow.opened();
    m = await runOpenLoop({ url: target.url, ratePerSecond: load.level, durationSeconds: seconds, next: target.next, countCacheStatus });
  } else {
    m = await runClosedLoop({
      url: target.url,
      connections: load.level,
      durationSeconds: seconds,
      rampSeconds: load.rampSeconds,
      next: target.next,
      window: meterWindow,
      countCacheStatus,
    });
  }
  meterWindow.closed();
  if (used && m.ok > 0) m.cpuMsPerOk = Object.fromEntries(Object.entries(used).map(([name, ms]) => [name, ms / m.ok]));
  return m;
}

function medianCpu(measurements: Measurement[]): Record<string, number> | undefined {
  const names = [...new Set(measurements.flatMap((m) => Object.keys(m.cpuMsPerOk ?? {})))];
  if (names.length === 0) return undefined;
  return Object.fromEntries(names.map((name) => [name, spread(measurements.map((m) => m.cpuMsPerOk?.[name] ?? Number.NaN)).median]));
}

function summarize(measurements: Measurement[]): TargetSummary | undefined {
  if (measurements.length === 0) return undefined;
  const cacheStatus = sumCounts(measurements.map((m) => m.cacheStatus));
  return {
    okPerSecond: spread(measurements.map((m) => m.okPerSecond)),
    p50: spread(measurements.map((m) => m.p50)),
    p99: spread(measurements.map((m) => m.p99)),
    non2xx: measurements.reduce((sum, m) => sum + m.non2xx, 0),
    errors: measurements.reduce((sum, m) => sum + m.errors, 0),
    cpuMsPerOk: medianCpu(measurements),
    sendLagP99: measurements.some((m) => m.sendLagP99 !== undefined) ? spread(measurements.map((m) => m.sendLagP99 ?? Number.NaN)) : undefined,
    cacheStatus,
    hitRatio: cacheStatus ? spread(measurements.map((m) => (m.cacheStatus ? hitRatio(m.cacheStatus) : Number.NaN))) : undefined,
  };
}

/**
 * Warm-up of every target, then interleaved rounds (edge, baseline / baseline, edge alternately) so that
 * drift of a shared, noisy machine hits both sides alike; the ratio is taken per round.
 */
export async function compare(targets: readonly Target[], load: Load, log: (message: string) => void, cpu: CpuWatch = {}): Promise<Comparison> {
  const ramps = new Map<Target['name'], number>();
  if (load.warmupSeconds > 0) {
    for (const target of targets) {
      const warm = await measure(target, { ...load, rampSeconds: 0 }, load.warmupSeconds);
      // A ramp shorter than one answer's latency still starts the window before every connection got into its stride.
      if (load.kind === 'closed' && Number.isFinite(warm.p90)) ramps.set(target.name, Math.min(MAX_RAMP_SECONDS, Math.max(load.rampSeconds, warm.p90 / 1000)));
    }
  }
  const rounds: Comparison['rounds'] = [];
  for (let round = 0; round < load.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    const results: Partial<Record<Target['name'], Measurement>> = {};
    for (const target of order) {
      const m = await measure(target, { ...load, rampSeconds: ramps.get(target.name) ?? load.rampSeconds }, load.durationSeconds, cpu[target.name]);
      results[target.name] = m;
      log(`  round ${round + 1}/${load.rounds} ${target.name.padEnd(8)} ${m.okPerSecond.toFixed(0).padStart(6)} ok/s  p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms${m.non2xx + m.errors > 0 ? `  non-2xx ${m.non2xx} errors ${m.errors}` : ''}${m.sendLagP99 === undefined ? '' : `  send lag p99 ${m.sendLagP99.toFixed(1)} ms`}${roundCacheNote(m)}`);
    }
    rounds.push(results);
  }
  const pick = (name: Target['name']) => rounds.map((round) => round[name]).filter((m): m is Measurement => m !== undefined);
  // An open loop sends a fixed rate to both sides, so ok/s are equal by design: its comparison is the latencies.
  const ratios = load.kind === 'open' ? [] : rounds
    .map((round) => (round.edge && round.baseline && round.baseline.okPerSecond > 0 ? round.edge.okPerSecond / round.baseline.okPerSecond : Number.NaN))
    .filter((value) => Number.isFinite(value));
  return {
    load,
    rounds,
    edge: summarize(pick('edge')),
    baseline: summarize(pick('baseline')),
    ratio: ratios.length > 0 ? spread(ratios) : undefined,
  };
}
