import { runClosedLoop } from './load/closed-loop';
import type { Measurement, Target } from './load/measurement';
import { runOpenLoop } from './load/open-loop';
import { spread, type Spread } from './stats';

export interface Load {
  kind: 'closed' | 'open';
  /** Closed loop: concurrent connections. Open loop: requests per second. */
  level: number;
  durationSeconds: number;
  warmupSeconds: number;
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
}

export interface Comparison {
  load: Load;
  rounds: Array<Partial<Record<Target['name'], Measurement>>>;
  edge?: TargetSummary;
  baseline?: TargetSummary;
  /** Per round edge ok/s divided by baseline ok/s. */
  ratio?: Spread;
}

function measure(target: Target, load: Load, seconds: number): Promise<Measurement> {
  if (load.kind === 'open') return runOpenLoop({ url: target.url, ratePerSecond: load.level, durationSeconds: seconds, next: target.next });
  return runClosedLoop({ url: target.url, connections: load.level, durationSeconds: seconds, next: target.next });
}

function summarize(measurements: Measurement[]): TargetSummary | undefined {
  if (measurements.length === 0) return undefined;
  return {
    okPerSecond: spread(measurements.map((m) => m.okPerSecond)),
    p50: spread(measurements.map((m) => m.p50)),
    p99: spread(measurements.map((m) => m.p99)),
    non2xx: measurements.reduce((sum, m) => sum + m.non2xx, 0),
    errors: measurements.reduce((sum, m) => sum + m.errors, 0),
    sendLagP99: measurements.some((m) => m.sendLagP99 !== undefined) ? spread(measurements.map((m) => m.sendLagP99 ?? Number.NaN)) : undefined,
  };
}

/**
 * Warm-up of every target, then interleaved rounds (edge, baseline / baseline, edge alternately) so that
 * drift of a shared, noisy machine hits both sides alike; the ratio is taken per round.
 */
export async function compare(targets: readonly Target[], load: Load, log: (message: string) => void): Promise<Comparison> {
  if (load.warmupSeconds > 0) {
    for (const target of targets) await measure(target, load, load.warmupSeconds);
  }
  const rounds: Comparison['rounds'] = [];
  for (let round = 0; round < load.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    const results: Partial<Record<Target['name'], Measurement>> = {};
    for (const target of order) {
      const m = await measure(target, load, load.durationSeconds);
      results[target.name] = m;
      log(`  round ${round + 1}/${load.rounds} ${target.name.padEnd(8)} ${m.okPerSecond.toFixed(0).padStart(6)} ok/s  p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms${m.non2xx + m.errors > 0 ? `  non-2xx ${m.non2xx} errors ${m.errors}` : ''}${m.sendLagP99 === undefined ? '' : `  send lag p99 ${m.sendLagP99.toFixed(1)} ms`}`);
    }
    rounds.push(results);
  }
  const pick = (name: Target['name']) => rounds.map((round) => round[name]).filter((m): m is Measurement => m !== undefined);
  const ratios = rounds
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
