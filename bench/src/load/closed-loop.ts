import autocannon from 'autocannon';
import type { Measurement, RequestFactory } from './measurement';

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  next: RequestFactory;
}

/** Fixed connections, each sending its next request as soon as the previous answer arrives (autocannon). */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<Measurement> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
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
  });
  const seconds = result.duration > 0 ? result.duration : options.durationSeconds;
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    okPerSecond: result['2xx'] / seconds,
    responsesPerSecond: responses / seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: seconds,
  };
}
