import { failedPrecondition } from '@shop/platform';
import type { Money } from './money';

export type PaymentStatus =
  | 'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'DECLINED' | 'FAILED';

export type TransactionKind = 'AUTHORIZATION' | 'CAPTURE' | 'VOID' | 'REFUND' | 'DECLINE';

export type PaymentEvent = 'CAPTURE' | 'VOID' | 'REFUND';

/** What the rules need to know about a payment; balances come from the ledger (see ledger.ts). */
export interface PaymentSnapshot {
  id: string;
  status: PaymentStatus;
  currency: string;
  authorizedMinor: bigint;
  capturedMinor: bigint;
  refundedMinor: bigint;
  authorizationExpiresAt: Date;
}

/** The outcome of a decision: how much moves, and the status the payment ends in. */
export interface Movement {
  kind: TransactionKind;
  amountMinor: bigint;
  status: PaymentStatus;
}

// Which events each status accepts. DECLINED, FAILED, VOIDED and REFUNDED accept none: they are terminal.
const ALLOWED: Readonly<Record<PaymentStatus, readonly PaymentEvent[]>> = {
  AUTHORIZED: ['CAPTURE', 'VOID'],
  CAPTURED: ['REFUND'],
  PARTIALLY_REFUNDED: ['REFUND'],
  REFUNDED: [],
  VOIDED: [],
  DECLINED: [],
  FAILED: [],
};

export const isTerminal = (status: PaymentStatus): boolean => ALLOWED[status].length === 0;

export const canApply = (status: PaymentStatus, event: PaymentEvent): boolean => ALLOWED[status].includes(event);

function requireTransition(payment: PaymentSnapshot, event: PaymentEvent): void {
  if (canApply(payment.status, event)) return;
  throw failedPrecondition(
    'INVALID_STATE_TRANSITION',
    `Cannot ${event.toLowerCase()} a payment in status ${payment.status}`,
    { paymentId: payment.id, status: payment.status, event },
  );
}

function requireCurrency(payment: PaymentSnapshot, requested: Money | undefined): void {
  if (requested === undefined || requested.currency === payment.currency) return;
  throw failedPrecondition(
    'CURRENCY_MISMATCH',
    `The payment is in ${payment.currency}, not ${requested.currency}`,
    { paymentId: payment.id, currency: payment.currency },
  );
}

function requireWithinLimit(payment: PaymentSnapshot, amountMinor: bigint, limitMinor: bigint, what: string): void {
  if (amountMinor <= limitMinor) return;
  throw failedPrecondition(
    'AMOUNT_EXCEEDS_LIMIT',
    `The ${what} of ${amountMinor} exceeds the ${limitMinor} available`,
    { paymentId: payment.id, availableMinor: limitMinor.toString(), requestedMinor: amountMinor.toString() },
  );
}

/** Capture once, fully (no amount) or partially, before the authorization expires. */
export function decideCapture(payment: PaymentSnapshot, requested: Money | undefined, now: Date): Movement {
  requireTransition(payment, 'CAPTURE');
  requireCurrency(payment, requested);
  if (now.getTime() >= payment.authorizationExpiresAt.getTime()) {
    throw failedPrecondition('AUTHORIZATION_EXPIRED', 'The authorization has expired and can no longer be captured', {
      paymentId: payment.id,
      authorizationExpireTime: payment.authorizationExpiresAt.toISOString(),
    });
  }
  const amountMinor = requested?.amountMinor ?? payment.authorizedMinor;
  requireWithinLimit(payment, amountMinor, payment.authorizedMinor, 'capture');
  return { kind: 'CAPTURE', amountMinor, status: 'CAPTURED' };
}

/** Void releases the whole authorization; it stays allowed after expiry, when it is harmless. */
export function decideVoid(payment: PaymentSnapshot): Movement {
  requireTransition(payment, 'VOID');
  return { kind: 'VOID', amountMinor: payment.authorizedMinor, status: 'VOIDED' };
}

/** Refunds repeat until everything captured has been given back; no amount refunds the rest. */
export function decideRefund(payment: PaymentSnapshot, requested: Money | undefined): Movement {
  requireTransition(payment, 'REFUND');
  requireCurrency(payment, requested);
  const remainingMinor = payment.capturedMinor - payment.refundedMinor;
  const amountMinor = requested?.amountMinor ?? remainingMinor;
  requireWithinLimit(payment, amountMinor, remainingMinor, 'refund');
  const status: PaymentStatus = amountMinor === remainingMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  return { kind: 'REFUND', amountMinor, status };
}
