import path from 'node:path';
import { findFreePort, REPO_ROOT } from '@shop/platform/src/db';
import { startNodeProcess } from '../system/child';
import { spread, type Spread } from '../stats';
import { plainClient, platformClient, type BenchClient } from './clients';

const SLICES_PER_ROUND = 8;

export interface BreakerResult {
  concurrency: number;
  durationSeconds: number;
  plainPerSecond: Spread;
  platformPerSecond: Spread;
  /** Per round: 1 - platform/plain, in percent (negative when the platform client happened to be faster). */
  overheadPercent: Spread;
  /**
   * Client-side CPU per call (µs) of each client: steadier than throughput on a shared machine (waiting for a
   * core costs no CPU time), and the difference is exactly what the wrapper adds.
   */
  plainCpuUsPerCall: Spread;
  platformCpuUsPerCall: Spread;
}

interface SliceResult {
  perSecond: number;
  cpuUsPerCall: number;
}

/** Calls as fast as `concurrency` callers can for `seconds`: calls per second and this process's CPU per call. */
async function saturate(client: BenchClient, concurrency: number, seconds: number): Promise<SliceResult> {
  const until = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await client.call();
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: done / ((performance.now() - started) / 1000), cpuUsPerCall: (cpu.user + cpu.system) / Math.max(1, done) };
}

async function waitUntilAnswering(client: BenchClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.call();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Micro-benchmark of the platform client against a plain grpc-js call to the same in-memory gRPC server (its own
 * process): the difference is what the breaker, deadline and metadata handling cost per call.
 */
export async function runBreakerBenchmark(rounds: number, seconds: number, concurrency: number, log: (message: string) => void): Promise<BreakerResult> {
  const port = await findFreePort();
  const server = startNodeProcess('grpc-echo', path.join(REPO_ROOT, 'bench'), 'src/breaker/echo-server.ts', { ...process.env, ECHO_PORT: String(port) });
  const target = `127.0.0.1:${port}`;
  const plain = plainClient(target);
  const platform = platformClient(target);
  try {
    await waitUntilAnswering(plain, 30_000);
    await saturate(plain, concurrency, 1);
    await saturate(platform, concurrency, 1);
    const plainRates: number[] = [];
    const platformRates: number[] = [];
    const overheads: number[] = [];
    const plainCpu: number[] = [];
    const platformCpu: number[] = [];
    const sliceSeconds = seconds / SLICES_PER_ROUND;
    for (let round = 0; round < rounds; round++) {
      // Many short alternating slices per round: a neighbour's burst on the shared machine hits both clients alike.
      const plainSlices: SliceResult[] = [];
      const platformSlices: SliceResult[] = [];
      for (let slice = 0; slice < SLICES_PER_ROUND; slice++) {
        const plainFirst = slice % 2 === 0;
        const first = await saturate(plainFirst ? plain : platform, concurrency, sliceSeconds);
        const second = await saturate(plainFirst ? platform : plain, concurrency, sliceSeconds);
        plainSlices.push(plainFirst ? first : second);
        platformSlices.push(plainFirst ? second : first);
      }
      const mean = (slices: SliceResult[], pick: (slice: SliceResult) => number) => slices.reduce((sum, slice) => sum + pick(slice), 0) / slices.length;
      const plainRate = mean(plainSlices, (slice) => slice.perSecond);
      const platformRate = mean(platformSlices, (slice) => slice.perSecond);
      plainCpu.push(mean(plainSlices, (slice) => slice.cpuUsPerCall));
      platformCpu.push(mean(platformSlices, (slice) => slice.cpuUsPerCall));
      plainRates.push(plainRate);
      platformRates.push(platformRate);
      overheads.push((1 - platformRate / plainRate) * 100);
      log(`  round ${round + 1}/${rounds} plain ${plainRate.toFixed(0)} calls/s, platform ${platformRate.toFixed(0)} calls/s, overhead ${(overheads[round] ?? 0).toFixed(1)}%; client CPU per call plain ${(plainCpu[round] ?? 0).toFixed(0)} µs, platform ${(platformCpu[round] ?? 0).toFixed(0)} µs`);
    }
    return { concurrency, durationSeconds: seconds, plainPerSecond: spread(plainRates), platformPerSecond: spread(platformRates), overheadPercent: spread(overheads), plainCpuUsPerCall: spread(plainCpu), platformCpuUsPerCall: spread(platformCpu) };
  } finally {
    plain.close();
    platform.close();
    await server.stop(5_000);
  }
}
