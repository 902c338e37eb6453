import type { CallContext } from '@shop/platform';
import type { CallScope } from '../domain/payment-service';

/**
 * Runs `work` with a scope whose signal aborts when the caller's deadline passes: nobody is waiting for the answer
 * any more, and the request's key must be released so that a retry can run. The timer is cleared when `work` ends
 * (AbortSignal.timeout would leave one timer per call pending until the deadline, each then firing for nobody).
 * The abort reason at the deadline is AbortSignal.timeout's, a TimeoutError.
 */
export async function withCallScope<T>(ctx: Pick<CallContext, 'deadline'>, work: (scope: CallScope) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const scope: CallScope = { deadline: ctx.deadline, signal: controller.signal };
  if (ctx.deadline === undefined) return work(scope);
  const remaining = ctx.deadline - Date.now();
  if (remaining <= 0) {
    // Already past: aborted from the start (as AbortSignal.abort(), an AbortError).
    controller.abort();
    return work(scope);
  }
  // Unref'd like AbortSignal.timeout's: a pending deadline alone never keeps the process up.
  const timer = setTimeout(() => controller.abort(timeoutReason()), remaining).unref();
  try {
    return await work(scope);
  } finally {
    clearTimeout(timer);
  }
}

const timeoutReason = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');
