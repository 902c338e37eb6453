import autocannon from 'autocannon';
import { addCount, classifyCacheStatus, headerValue, type CacheStatusClass, type CacheStatusCounts } from './cache-status';
import type { Measurement, RequestFactory } from './measurement';
import { latencySummary } from './percentile';

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  /** Seconds measured, after the ramp. */
  durationSeconds: number;
  /**
   * Seconds of load before the measured window. Every connection starts together, so the first answers all
   * arrive about one latency later: counting from zero would understate throughput whenever the latency is a
   * sizeable part of the window (the checkout's is).
   */
  rampSeconds: number;
  next: RequestFactory;
  /** Count the answers of the measured window by their `Cache-Status` class. */
  countCacheStatus?: boolean;
  /** Called when the measured window opens and closes (e.g. to meter CPU over exactly that window). */
  window?: { opened(): void; closed(): void };
}

/** Fixed connections, each sending its next request as soon as the previous answer arrives (autocannon). */
export function runClosedLoop(options: ClosedLoopOptions): Promise<Measurement> {
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const cacheStatus: CacheStatusCounts | undefined = options.countCacheStatus ? {} : undefined;
  // autocannon hands the headers to the request's onResponse and, synchronously right after, emits 'response'
  // (which alone knows the window): the class is carried from one to the other.
  let lastClass: CacheStatusClass | undefined;
  const onResponse = cacheStatus
    ? (_status: number, _body: string, _context: object, headers: Record<string, string | string[] | undefined> | undefined): void => {
        lastClass = classifyCacheStatus(headerValue(headers ?? {}, 'cache-status'));
      }
    : undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.rampSeconds + options.durationSeconds,
        timeout: 20,
        requests: [
          {
            setupRequest: (request) => {
              const spec = options.next();
              return {
                ...request,
                method: spec.method,
                path: spec.path,
                headers: { ...spec.headers, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) },
                body: spec.body,
              };
            },
            onResponse,
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const seconds = Math.min(options.durationSeconds, Math.max(0.001, (performance.now() - windowStart) / 1000));
        resolve({
          okPerSecond: ok / seconds,
          responsesPerSecond: (ok + non2xx) / seconds,
          ...latencySummary(latencies),
          ok,
          non2xx,
          // Connection errors and timeouts of the whole run: autocannon does not time-stamp them.
          errors: result.errors,
          durationSeconds: seconds,
          cacheStatus,
        });
      },
    );
    instance.on('start', () => {
      windowStart = performance.now() + options.rampSeconds * 1000;
      windowEnd = windowStart + options.durationSeconds * 1000;
      setTimeout(() => options.window?.opened(), options.rampSeconds * 1000);
      setTimeout(() => options.window?.closed(), (options.rampSeconds + options.durationSeconds) * 1000);
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      const now = performance.now();
      if (now < windowStart || now > windowEnd) {
        lastClass = undefined;
        return;
      }
      latencies.push(responseTime);
      if (cacheStatus && lastClass) addCount(cacheStatus, lastClass);
      lastClass = undefined;
      if (statusCode >= 200 && statusCode < 300) ok += 1;
      else non2xx += 1;
    });
  });
}
