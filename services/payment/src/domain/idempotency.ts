import { setTimeout as sleep } from 'node:timers/promises';
import { aborted, failedPrecondition } from '@shop/platform';
import { OutcomeUnknownError } from './outcome-unknown';
import type { AuthorizationAttempt, PaymentStore } from './ports';

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
  /** The payment the request acts on (a new id for an authorization). */
  paymentId: string;
  /** Authorizations: the attempt recorded with the claim, before the processor is called. */
  attempt?: AuthorizationAttempt;
  /** Movements: claim the payment for the movement along with the request id when possible. */
  reserveMovement?: boolean;
  /** Epoch ms after which the caller no longer waits for anything. */
  deadline: number | undefined;
}

/** What the work of a claimed request gets: its payment (a taken-over authorization keeps its first) and lease. */
export interface ClaimedRequest {
  paymentId: string;
  lockedUntil: Date;
  /** Whether the payment was claimed for the movement with the request id. */
  movementReserved: boolean;
}

/** The work ran (this call owned the request), or an earlier call had completed it on this payment. */
export type OnceResult<T> = { kind: 'ran'; value: T } | { kind: 'completed'; paymentId: string };

const reused = (requestId: string) =>
  failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'This request_id was already used with different parameters', { requestId });

/**
 * Runs `work` at most once per request id; repeats get the payment id of the first result.
 * The first caller inserts the key (unique), later ones wait for it to finish. `work` must complete the key
 * together with its own write. If it throws an error that decided nothing, the key is released (with what it left
 * on its payment: a PENDING attempt, a movement claim) so the same request may be retried. If it throws
 * OutcomeUnknownError (the processor may have acted), nothing is released: the key stays IN_PROGRESS with its lease
 * cut to now, so a retry of the same request id takes it over at once and settles it, while other requests still
 * respect the attempt and the movement claim.
 */
export async function runOnce<T>(
  store: PaymentStore,
  settings: IdempotencySettings,
  request: IdempotentRequest,
  work: (claimed: ClaimedRequest) => Promise<T>,
  now: () => Date = () => new Date(),
): Promise<OnceResult<T>> {
  const waitUntil = Math.min(now().getTime() + settings.waitMs, request.deadline ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const at = now();
    const lockedUntil = new Date(at.getTime() + settings.leaseMs);
    const outcome = await store.claimRequest({
      requestId: request.requestId,
      operation: request.operation,
      fingerprint: request.fingerprint,
      paymentId: request.paymentId,
      attempt: request.attempt,
      reserveMovement: request.reserveMovement,
      now: at,
      lockedUntil,
    });
    if (outcome.kind === 'claimed') {
      try {
        return { kind: 'ran', value: await work({ paymentId: outcome.paymentId, lockedUntil, movementReserved: outcome.movementReserved }) };
      } catch (error) {
        // If even this write fails, the lease frees the key later; the caller needs the original error.
        if (error instanceof OutcomeUnknownError) {
          await store.holdRequest(request.requestId, lockedUntil, now()).catch(() => undefined);
          throw error.answer;
        }
        await store.releaseRequest(request.requestId, lockedUntil, outcome.paymentId).catch(() => undefined);
        throw error;
      }
    }
    if (outcome.kind === 'retry') continue;
    if (outcome.fingerprint !== request.fingerprint) throw reused(request.requestId);
    if (outcome.kind === 'completed') return { kind: 'completed', paymentId: outcome.paymentId };
    if (now().getTime() + settings.pollMs > waitUntil) {
      throw aborted('REQUEST_IN_PROGRESS', 'A request with this request_id is still being processed; retry later');
    }
    await sleep(settings.pollMs);
  }
}
