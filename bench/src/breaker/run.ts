import os from 'node:os';
import path from 'node:path';
import { findFreePort, REPO_ROOT } from '@shop/platform/src/db';
import { startNodeProcess } from '../system/child';
import { spread, type Spread } from '../stats';
import { breakerEstimates, cpuPerCall, isolatedBreakerPercent, isolatedBreakerUs, perSecond, type Estimate } from './figures';
import { ROUND_LINE_PREFIX, type Arm, type RoundFigures, type RoundPlan } from './measure';

/** Each of the bench's rounds becomes this many short breaker rounds: more rounds, each less exposed to a burst. */
const ROUNDS_PER_BENCH_ROUND = 4;
// Short slices: the load of a neighbour on the shared machine changes within a second, and the closer in time the
// two clients' slices are, the more alike what they meet (at 50 ms, the ramp-down at each slice's end weighs).
const SLICE_MS = 100;
// An isolated slice: ~10-20 ms of the breaker at a few µs per call, short enough to interleave finely, long enough
// that the CPU clock's granularity and a stray scavenge weigh little.
const ISOLATED_CALLS = 5_000;

export interface BreakerResult {
  concurrency: number;
  /** Seconds of each round's gRPC slices (all four clients together; the isolated slices add a little). */
  durationSeconds: number;
  rounds: number;
  /**
   * Each round: this many turns, each a pair of slices per comparison (plain/platform, direct/breaker), the two
   * alternating (AB, BA, ...) turn by turn, then a pair of isolated slices of `isolatedCalls` calls each.
   */
  pairsPerRound: number;
  sliceMs: number;
  isolatedCalls: number;
  /**
   * The judged figure. Per round: the breaker's own CPU per call, measured in isolation (the platform-built breaker,
   * createCallBreaker, around an action that resolves at once, minus that action called directly; tens of thousands
   * of calls, JIT-warm, interleaved with the gRPC slices), as a percentage of the client CPU per call of the gRPC
   * call it wraps (the platform's unary action sent directly, `directCpuUsPerCall`). Median [range] of the rounds and
   * a ~95% distribution-free interval of the median (medianInterval: no assumption about the noise's distribution;
   * the range widens with every round added, the interval narrows).
   */
  breakerIsolated: Estimate & { breakerUsPerCall: Spread; actionUsPerCall: Spread };
  /**
   * The same breaker in place: the same real gRPC call (the platform's unary action) through the breaker vs sent
   * directly, client CPU per call, minus one, in percent. It includes whatever the breaker costs the call around it
   * (caches, garbage) but carries the gRPC call's noise: a cross-check of the isolated figure.
   */
  breakerInSitu: Estimate;
  /**
   * The whole client (secondary): per round, createServiceClient's CPU per call over the plain grpc-js client's,
   * minus one, in percent: deadline capping, metadata and trace propagation, retry plumbing and the breaker.
   */
  overheadPercent: Spread;
  /** ~95% interval of overheadPercent's median. */
  overheadMedianInterval: { low: number; high: number };
  /** Per round: 1 - platform calls/s over plain calls/s, in percent (negative when the platform happened to be faster). */
  throughputOverheadPercent: Spread;
  plainPerSecond: Spread;
  platformPerSecond: Spread;
  plainCpuUsPerCall: Spread;
  platformCpuUsPerCall: Spread;
  /** The in-situ pair: the platform's unary action sent directly, and through the breaker. */
  directCpuUsPerCall: Spread;
  breakerCpuUsPerCall: Spread;
  /** 1-minute load average of the machine when the micro-benchmark started and ended: the noise it ran in. */
  loadAverage: { atStart: number; atEnd: number };
}

export function planFor(benchRounds: number, seconds: number, concurrency: number): RoundPlan {
  const rounds = benchRounds * ROUNDS_PER_BENCH_ROUND;
  // The same measuring time as `benchRounds` rounds of `seconds` per client, cut into more, shorter rounds.
  // Even: each arm of a comparison goes first in half of a round's pairs (the first slice after gRPC traffic
  // absorbs some of its leftover GC work).
  const pairsPerRound = Math.max(2, 2 * Math.round((benchRounds * seconds * 1000) / rounds / SLICE_MS / 2));
  return { rounds, pairsPerRound, sliceMs: SLICE_MS, concurrency, isolatedCalls: ISOLATED_CALLS };
}

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
 * Micro-benchmark of the platform's breaker and of its whole client. The gRPC arms call the same in-memory gRPC
 * server (its own process, so its CPU is no client's) from one client process of their own (so that the CPU
 * measured is the clients' and nothing else's), in many short interleaved slices; the isolated breaker runs in that
 * process too, between them.
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
      BREAKER_ISOLATED_CALLS: String(plan.isolatedCalls),
    });
    const rounds: RoundFigures[] = [];
    collectRounds(caller.process.stdout!, (figures) => {
      rounds.push(figures);
      const us = (arm: Arm): string => cpuPerCall(figures[arm]).toFixed(1);
      log(
        `  round ${rounds.length}/${plan.rounds}: breaker isolated ${isolatedBreakerUs(figures).toFixed(2)} µs/call = ${isolatedBreakerPercent(figures).toFixed(2)}% of a gRPC call; ` +
          `client CPU per call direct ${us('direct')} / breaker ${us('breaker')} µs, plain ${us('plain')} / platform ${us('platform')} µs`,
      );
    });
    const exit = await caller.exited;
    if (exit !== 'code 0' || rounds.length !== plan.rounds) throw new Error(`breaker client process ended with ${exit} after ${rounds.length} rounds:\n${caller.tail()}`);
    const each = (pick: (figures: RoundFigures) => number): Spread => spread(rounds.map(pick));
    const estimates = breakerEstimates(rounds);
    return {
      concurrency: plan.concurrency,
      durationSeconds: (plan.pairsPerRound * 4 * plan.sliceMs) / 1000,
      rounds: plan.rounds,
      pairsPerRound: plan.pairsPerRound,
      sliceMs: plan.sliceMs,
      isolatedCalls: plan.isolatedCalls,
      breakerIsolated: {
        ...estimates.isolated,
        breakerUsPerCall: each(isolatedBreakerUs),
        actionUsPerCall: each((figures) => cpuPerCall(figures.isolated.direct)),
      },
      breakerInSitu: estimates.inSitu,
      overheadPercent: estimates.wholeClient.rounds,
      overheadMedianInterval: estimates.wholeClient.medianInterval,
      throughputOverheadPercent: each((figures) => (1 - perSecond(figures.platform) / perSecond(figures.plain)) * 100),
      plainPerSecond: each((figures) => perSecond(figures.plain)),
      platformPerSecond: each((figures) => perSecond(figures.platform)),
      plainCpuUsPerCall: each((figures) => cpuPerCall(figures.plain)),
      platformCpuUsPerCall: each((figures) => cpuPerCall(figures.platform)),
      directCpuUsPerCall: each((figures) => cpuPerCall(figures.direct)),
      breakerCpuUsPerCall: each((figures) => cpuPerCall(figures.breaker)),
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg()[0] ?? Number.NaN },
    };
  } finally {
    await caller?.stop(5_000);
    await server.stop(5_000);
  }
}
