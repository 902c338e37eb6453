import { setTimeout as sleep } from 'node:timers/promises';
import { aborted, failedPrecondition } from '@shop/platform';
import type { PaymentStore } from './ports';

export interface IdempotencySettings {
  /** How long a duplicate waits for the first call's result before giving up with REQUEST_IN_PROGRESS. */
  waitMs: number;
  /** How long an unfinished claim blocks others; past it the claim counts as abandoned. */
  leaseMs: number;
  pollMs: number;
}

export interface IdempotentRequest {
  requestId: string;
  operation: string;
  fingerprint: string;
  /** Epoch ms after which the caller no longer waits for anything. */
  deadline: number | undefined;
}

const reused = (requestId: string) =>
  failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'This request_id was already used with different parameters', { requestId });

/**
 * Runs `work` at most once per request id and returns its payment id; repeats return the first result.
 * The first caller inserts the key (unique), later ones wait for it to finish. `work` must complete the key
 * together with its own write; if it throws, the key is released so the same request may be retried.
 */
export async function runOnce(
  store: PaymentStore,
  settings: IdempotencySettings,
  request: IdempotentRequest,
  work: () => Promise<string>,
  now: () => Date = () => new Date(),
): Promise<string> {
  const waitUntil = Math.min(now().getTime() + settings.waitMs, request.deadline ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const at = now();
    const lockedUntil = new Date(at.getTime() + settings.leaseMs);
    const outcome = await store.claimRequest({
      requestId: request.requestId,
      operation: request.operation,
      fingerprint: request.fingerprint,
      now: at,
      lockedUntil,
    });
    if (outcome.kind === 'claimed') {
      try {
        return await work();
      } catch (error) {
        // If even the release fails, the lease frees the key later; the caller needs the original error.
        await store.releaseRequest(request.requestId, lockedUntil).catch(() => undefined);
        throw error;
      }
    }
    if (outcome.kind === 'retry') continue;
    if (outcome.fingerprint !== request.fingerprint) throw reused(request.requestId);
    if (outcome.kind === 'completed') return outcome.paymentId;
    if (now().getTime() + settings.pollMs > waitUntil) {
      throw aborted('REQUEST_IN_PROGRESS', 'A request with this request_id is still being processed; retry later');
    }
    await sleep(settings.pollMs);
  }
}
