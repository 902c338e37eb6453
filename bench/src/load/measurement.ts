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
}
