import { setTimeout as sleep } from 'node:timers/promises';
import { aborted, notFound } from '@shop/platform';
import type { PaymentStore } from './ports';

export interface MovementClaimSettings {
  /** How long a movement waits for another movement of the same payment to finish. */
  waitMs: number;
  pollMs: number;
}

export interface MovementClaimRequest {
  paymentId: string;
  requestId: string;
  /** The request's lease: a claim left by a dead owner frees itself then. */
  until: Date;
  /** Epoch ms after which the caller no longer waits. */
  deadline: number | undefined;
}

/**
 * Claims a payment for one capture, void or refund, waiting while another movement of it is in progress. The claim
 * replaces a row lock held across the processor call: movements of one payment still run one at a time, each
 * deciding on the ledger the previous one left, but no database transaction stays open while the processor works.
 */
export async function claimPaymentForMovement(
  store: PaymentStore,
  settings: MovementClaimSettings,
  request: MovementClaimRequest,
  now: () => Date,
): Promise<void> {
  const waitUntil = Math.min(now().getTime() + settings.waitMs, request.deadline ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const reservation = await store.reserveMovement(request.paymentId, request.requestId, request.until, now());
    if (reservation.kind === 'reserved') return;
    if (reservation.kind === 'not_found') throw notFound('No such payment', { paymentId: request.paymentId });
    if (now().getTime() + settings.pollMs > waitUntil) {
      // The reason the order service already treats as "retry shortly" (as for a duplicate still running).
      throw aborted('REQUEST_IN_PROGRESS', 'Another capture, void or refund of this payment is still being processed; retry later');
    }
    await sleep(settings.pollMs);
  }
}
