import http from 'node:http';
import { addCount, classifyCacheStatus, type CacheStatusCounts } from './cache-status';
import type { RequestSpec } from './measurement';

export interface PrimeResult {
  sent: number;
  ok: number;
  seconds: number;
  cacheStatus: CacheStatusCounts;
}

const TIMEOUT_MS = 10_000;

/**
 * Sends every request of `specs` once, `concurrency` at a time, and counts the answers' `Cache-Status`. It fills a
 * cache before a cached scenario: random ids reach every one of n ids only after about n·ln(n) requests
 * (~98,000 for 10,000 ids; a 3 s warm-up at ~3,000 req/s covers ~60% of them), so a timed warm-up alone would leave the
 * measured window still filling the cache rather than in its steady state.
 */
export async function prime(url: string, specs: readonly RequestSpec[], concurrency: number): Promise<PrimeResult> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const cacheStatus: CacheStatusCounts = {};
  let ok = 0;
  let index = 0;
  const started = performance.now();
  const one = (spec: RequestSpec): Promise<void> =>
    new Promise((resolve) => {
      const request = http.request(
        { host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: spec.headers, agent, timeout: TIMEOUT_MS },
        (response) => {
          addCount(cacheStatus, classifyCacheStatus(response.headers['cache-status']));
          if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) ok += 1;
          response.resume();
          response.once('end', () => resolve());
          response.once('error', () => resolve());
        },
      );
      request.once('timeout', () => request.destroy(new Error('timeout')));
      request.once('error', () => resolve());
      request.end(spec.body);
    });
  const worker = async (): Promise<void> => {
    while (index < specs.length) await one(specs[index++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  agent.destroy();
  return { sent: specs.length, ok, seconds: (performance.now() - started) / 1000, cacheStatus };
}
