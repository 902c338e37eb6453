import autocannon from 'autocannon';
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
      if (now < windowStart || now > windowEnd) return;
      latencies.push(responseTime);
      if (statusCode >= 200 && statusCode < 300) ok += 1;
      else non2xx += 1;
    });
  });
}
