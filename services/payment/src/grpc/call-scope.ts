import type { CallContext } from '@shop/platform';
import type { CallScope } from '../domain/payment-service';

/**
 * Processor work stops when the caller's deadline passes: nobody is waiting for the answer any more, and the
 * request's key must be released so that a retry can run.
 */
export function callScope(ctx: Pick<CallContext, 'deadline'>): CallScope {
  if (ctx.deadline === undefined) return { deadline: undefined, signal: new AbortController().signal };
  const remaining = ctx.deadline - Date.now();
  return { deadline: ctx.deadline, signal: remaining > 0 ? AbortSignal.timeout(remaining) : AbortSignal.abort() };
}
