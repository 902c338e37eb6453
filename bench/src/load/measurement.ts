import type { CacheStatusClass, CacheStatusCounts } from './cache-status';

/** One measured run of one target. Latencies in milliseconds. */
export interface Measurement {
  /** Successful (2xx) responses per second: the figure compared. */
  okPerSecond: number;
  /** All responses per second, whatever their status. */
  responsesPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  durationSeconds: number;
  /**
   * Open loop only: p99 of how late the bench sent requests after they were due. Large values mean the bench
   * process itself was starved of CPU, and the latencies include that wait.
   */
  sendLagP99?: number;
  /** CPU time per successful request, by process (ms): where the work goes. */
  cpuMsPerOk?: Record<string, number>;
  /** When the target asked for it: the answers of the measured window by their `Cache-Status` class. */
  cacheStatus?: CacheStatusCounts;
}

/** What to send: a fresh request each time (random id, fresh Idempotency-Key...). */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export type RequestFactory = () => RequestSpec;

export interface Target {
  name: 'edge' | 'baseline';
  url: string;
  next: RequestFactory;
  /**
   * Count the answers' `Cache-Status` classes over the measured window (set on both sides of the product reads, so
   * the load generator does the same work for each). `expect`: the classes the preflight accepts when the header is
   * present; an absent header only earns a note (a system without the cache answers none).
   */
  cacheStatus?: { expect?: readonly CacheStatusClass[] };
}
