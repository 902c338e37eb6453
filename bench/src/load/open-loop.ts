import http from 'node:http';
import { addCount, classifyCacheStatus, type CacheStatusCounts } from './cache-status';
import type { Measurement, RequestFactory } from './measurement';
import { latencySummary, percentile } from './percentile';

export interface OpenLoopOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  next: RequestFactory;
  /** Count the answers by their `Cache-Status` class. */
  countCacheStatus?: boolean;
}

const TICK_MS = 1;
const TIMEOUT_MS = 10_000;

/**
 * Open loop: request i is due at start + i/rate whatever happened to earlier ones, and its latency is counted
 * from when it was due, not from when it was sent. A stalled server therefore shows up in the percentiles
 * (no coordinated omission), unlike a closed loop whose senders politely wait.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<Measurement> {
  const base = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const latencies: number[] = [];
  const lags: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let outstanding = 0;
  const cacheStatus: CacheStatusCounts | undefined = options.countCacheStatus ? {} : undefined;
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;

  const send = (dueAt: number): void => {
    const spec = options.next();
    outstanding += 1;
    const finish = (status: number | undefined): void => {
      outstanding -= 1;
      if (status === undefined) errors += 1;
      else if (status >= 200 && status < 300) ok += 1;
      else non2xx += 1;
      if (status !== undefined) latencies.push(performance.now() - dueAt);
    };
    const request = http.request(
      { host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: spec.headers, agent, timeout: TIMEOUT_MS },
      (response) => {
        if (cacheStatus) addCount(cacheStatus, classifyCacheStatus(response.headers['cache-status']));
        response.resume();
        response.once('end', () => finish(response.statusCode));
        response.once('error', () => finish(undefined));
      },
    );
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', () => finish(undefined));
    request.end(spec.body);
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = (): void => {
      const now = performance.now();
      // Every request that fell due since the last tick goes now, with its own due time.
      while (sent < total && start + sent * intervalMs <= now) {
        lags.push(now - (start + sent * intervalMs));
        send(start + sent * intervalMs);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  const drainDeadline = performance.now() + TIMEOUT_MS;
  while (outstanding > 0 && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 5));
  agent.destroy();
  const elapsedSeconds = (performance.now() - start) / 1000;

  lags.sort((a, b) => a - b);
  return {
    okPerSecond: ok / options.durationSeconds,
    responsesPerSecond: (ok + non2xx) / elapsedSeconds,
    ...latencySummary(latencies),
    ok,
    non2xx,
    errors: errors + outstanding,
    durationSeconds: options.durationSeconds,
    sendLagP99: percentile(lags, 99),
    cacheStatus,
  };
}
