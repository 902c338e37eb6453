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
}

/** Calls as fast as `concurrency` callers can for `seconds`; calls per second. */
async function saturate(client: BenchClient, concurrency: number, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      await client.call();
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1000);
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
    const sliceSeconds = seconds / SLICES_PER_ROUND;
    for (let round = 0; round < rounds; round++) {
      // Many short alternating slices per round: a neighbour's burst on the shared machine hits both clients alike.
      let plainSum = 0;
      let platformSum = 0;
      for (let slice = 0; slice < SLICES_PER_ROUND; slice++) {
        const plainFirst = slice % 2 === 0;
        const first = await saturate(plainFirst ? plain : platform, concurrency, sliceSeconds);
        const second = await saturate(plainFirst ? platform : plain, concurrency, sliceSeconds);
        plainSum += plainFirst ? first : second;
        platformSum += plainFirst ? second : first;
      }
      const plainRate = plainSum / SLICES_PER_ROUND;
      const platformRate = platformSum / SLICES_PER_ROUND;
      plainRates.push(plainRate);
      platformRates.push(platformRate);
      overheads.push((1 - platformRate / plainRate) * 100);
      log(`  round ${round + 1}/${rounds} plain ${plainRate.toFixed(0)} calls/s, platform ${platformRate.toFixed(0)} calls/s, overhead ${(overheads[round] ?? 0).toFixed(1)}%`);
    }
    return { concurrency, durationSeconds: seconds, plainPerSecond: spread(plainRates), platformPerSecond: spread(platformRates), overheadPercent: spread(overheads) };
  } finally {
    plain.close();
    platform.close();
    await server.stop(5_000);
  }
}
