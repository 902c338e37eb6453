import os from 'node:os';
import path from 'node:path';
import { findFreePort, REPO_ROOT } from '@shop/platform/src/db';
import { startNodeProcess } from '../system/child';
import { spread, type Spread } from '../stats';
import { medianInterval } from './median-interval';
import { ROUND_LINE_PREFIX, type ClientTotals, type RoundFigures, type RoundPlan } from './measure';

/** Each of the bench's rounds becomes this many short breaker rounds: more rounds, each less exposed to a burst. */
const ROUNDS_PER_BENCH_ROUND = 4;
// Short slices: the load of a neighbour on the shared machine changes within a second, and the closer in time the
// two clients' slices are, the more alike what they meet (at 50 ms, the ramp-down at each slice's end weighs).
const SLICE_MS = 100;

export interface BreakerResult {
  concurrency: number;
  /** Seconds of each round (both clients together). */
  durationSeconds: number;
  rounds: number;
  /** Each round: this many pairs of slices, the clients alternating (AB, BA, ...) slice by slice. */
  pairsPerRound: number;
  sliceMs: number;
  /**
   * The breaker overhead: per round, the platform client's CPU per call over the plain client's, minus one, in
   * percent. The calling process's CPU time per call: waiting for a core on the shared machine costs no CPU
   * time, and the difference is exactly what the platform's wrapper adds to each call.
   */
  overheadPercent: Spread;
  /**
   * Where the median of overheadPercent lies with about 95% confidence, from the rounds' order statistics (no
   * assumption about the noise's distribution): the figure to judge the target by. The min..max range widens with
   * every round added, this interval narrows.
   */
  overheadMedianInterval: { low: number; high: number };
  /** Per round: 1 - platform calls/s over plain calls/s, in percent (negative when the platform happened to be faster). */
  throughputOverheadPercent: Spread;
  plainPerSecond: Spread;
  platformPerSecond: Spread;
  plainCpuUsPerCall: Spread;
  platformCpuUsPerCall: Spread;
  /** 1-minute load average of the machine when the micro-benchmark started and ended: the noise it ran in. */
  loadAverage: { atStart: number; atEnd: number };
}

export function planFor(benchRounds: number, seconds: number, concurrency: number): RoundPlan {
  const rounds = benchRounds * ROUNDS_PER_BENCH_ROUND;
  // The same measuring time as `benchRounds` rounds of `seconds` per client, cut into more, shorter rounds.
  const pairsPerRound = Math.max(1, Math.round((benchRounds * seconds * 1000) / rounds / SLICE_MS));
  return { rounds, pairsPerRound, sliceMs: SLICE_MS, concurrency };
}

const cpuPerCall = (totals: ClientTotals): number => totals.cpuUs / Math.max(1, totals.calls);
const perSecond = (totals: ClientTotals): number => totals.calls / (totals.ms / 1000);

/** Reads the client process's round lines off its stdout as they come. */
function collectRounds(stdout: NodeJS.ReadableStream, onRound: (figures: RoundFigures) => void): void {
  let pending = '';
  stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith(ROUND_LINE_PREFIX)) continue;
      // A garbled line is a missing round (the count is checked at the end), never an exception in a stream handler.
      try {
        onRound(JSON.parse(line.slice(ROUND_LINE_PREFIX.length)) as RoundFigures);
      } catch {
        continue;
      }
    }
  });
}

/**
 * Micro-benchmark of the platform client against a plain grpc-js call. Both call the same in-memory gRPC server
 * (its own process, so its CPU is no client's) from one client process of their own (so that the CPU measured
 * is the clients' and nothing else's), in many short interleaved slices.
 */
export async function runBreakerBenchmark(benchRounds: number, seconds: number, concurrency: number, log: (message: string) => void, plan = planFor(benchRounds, seconds, concurrency)): Promise<BreakerResult> {
  const benchDir = path.join(REPO_ROOT, 'bench');
  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const port = await findFreePort();
  const server = startNodeProcess('grpc-echo', benchDir, 'src/breaker/echo-server.ts', { ...process.env, ECHO_PORT: String(port) });
  let caller: ReturnType<typeof startNodeProcess> | undefined;
  try {
    caller = startNodeProcess('breaker-client', benchDir, 'src/breaker/client-process.ts', {
      ...process.env,
      BREAKER_TARGET: `127.0.0.1:${port}`,
      BREAKER_WARMUP_MS: String(Math.max(2_000, plan.sliceMs * 8)),
      BREAKER_ROUNDS: String(plan.rounds),
      BREAKER_PAIRS: String(plan.pairsPerRound),
      BREAKER_SLICE_MS: String(plan.sliceMs),
      BREAKER_CONCURRENCY: String(plan.concurrency),
    });
    const rounds: RoundFigures[] = [];
    collectRounds(caller.process.stdout!, (figures) => {
      rounds.push(figures);
      const [plain, platform] = [cpuPerCall(figures.plain), cpuPerCall(figures.platform)];
      log(`  round ${rounds.length}/${plan.rounds}: client CPU per call plain ${plain.toFixed(1)} µs, platform ${platform.toFixed(1)} µs (${((platform / plain - 1) * 100).toFixed(1)}%); plain ${perSecond(figures.plain).toFixed(0)} calls/s, platform ${perSecond(figures.platform).toFixed(0)} calls/s`);
    });
    const exit = await caller.exited;
    if (exit !== 'code 0' || rounds.length !== plan.rounds) throw new Error(`breaker client process ended with ${exit} after ${rounds.length} rounds:\n${caller.tail()}`);
    const each = (pick: (figures: RoundFigures) => number): Spread => spread(rounds.map(pick));
    const overheads = rounds.map((figures) => (cpuPerCall(figures.platform) / cpuPerCall(figures.plain) - 1) * 100);
    return {
      concurrency: plan.concurrency,
      durationSeconds: (plan.pairsPerRound * 2 * plan.sliceMs) / 1000,
      rounds: plan.rounds,
      pairsPerRound: plan.pairsPerRound,
      sliceMs: plan.sliceMs,
      overheadPercent: spread(overheads),
      overheadMedianInterval: medianInterval(overheads),
      throughputOverheadPercent: each((figures) => (1 - perSecond(figures.platform) / perSecond(figures.plain)) * 100),
      plainPerSecond: each((figures) => perSecond(figures.plain)),
      platformPerSecond: each((figures) => perSecond(figures.platform)),
      plainCpuUsPerCall: each((figures) => cpuPerCall(figures.plain)),
      platformCpuUsPerCall: each((figures) => cpuPerCall(figures.platform)),
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg()[0] ?? Number.NaN },
    };
  } finally {
    await caller?.stop(5_000);
    await server.stop(5_000);
  }
}
