// The breaker's own CPU per call, with nothing else in the measurement: the platform-built breaker around an action
// that resolves at once, against that action called directly. A few µs measured over tens of thousands of calls
// in tens of milliseconds, where a gRPC call's ~250 µs in a noisy shared process could not resolve them.
import { Metadata } from '@grpc/grpc-js';
import { closeCallBreaker, createCallBreaker, type CallAction } from '@shop/platform/src/grpc/call-breaker';
import { BENCH_SERVICE, REQUEST, silentLogger } from './clients';
import type { ClientTotals } from './measure';

export interface IsolatedArms {
  /** The action itself: what the call costs without a breaker. */
  direct: () => Promise<unknown>;
  /** The same action through the breaker createServiceClient builds (same options, listeners, fallback). */
  breaker: () => Promise<unknown>;
  close(): void;
}

const RESPONSE = { product: { id: REQUEST.id } };

export function isolatedArms(): IsolatedArms {
  // Resolves at once, as a settled gRPC call does when its answer arrives: no I/O, no timer, no allocation of its own.
  const answered = Promise.resolve(RESPONSE);
  const action: CallAction<unknown> = () => answered;
  const name = `${BENCH_SERVICE}.getProduct.isolated`;
  const breaker = createCallBreaker(action, { name, service: BENCH_SERVICE, logger: silentLogger() });
  // The arguments a call passes, built once: building them is the caller's cost, not the breaker's.
  const metadata = new Metadata();
  const deadline = Date.now() + 24 * 3_600_000;
  return {
    direct: () => action(REQUEST, metadata, deadline, 0, undefined),
    breaker: () => breaker.fire(REQUEST, metadata, deadline, 0, undefined),
    close: () => closeCallBreaker(name, breaker),
  };
}

/**
 * `calls` calls, each awaited before the next (so the breaker's promise chain settles within the slice, as a
 * call's does when its answer arrives), and the process's CPU time they took (GC threads included: the breaker's
 * garbage is its cost too).
 */
export async function isolatedSlice(call: () => Promise<unknown>, calls: number): Promise<ClientTotals> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const cpu = process.cpuUsage(cpuBefore);
  return { calls, cpuUs: cpu.user + cpu.system, ms: performance.now() - started };
}
