import type { CardSummary } from './card';
import type { LedgerEntry } from './ledger';
import type { Movement, PaymentStatus } from './payment-state';

/** A payment as stored, with its ledger. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  status: PaymentStatus;
  currency: string;
  requestedMinor: bigint;
  card: CardSummary;
  declineCode: string | null;
  processorReference: string | null;
  authorizationExpiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  transactions: LedgerEntry[];
}

export interface NewPayment {
  id: string;
  orderId: string;
  status: Extract<PaymentStatus, 'AUTHORIZED' | 'DECLINED'>;
  currency: string;
  requestedMinor: bigint;
  card: CardSummary;
  declineCode: string | null;
  processorReference: string | null;
  authorizationExpiresAt: Date;
  createdAt: Date;
  /** The AUTHORIZATION or DECLINE ledger row written with the payment. */
  entry: NewLedgerEntry;
}

export interface NewLedgerEntry {
  id: string;
  kind: Movement['kind'];
  amountMinor: bigint;
  currency: string;
  requestId: string;
  reason: string | null;
}

export interface IdempotencyClaim {
  requestId: string;
  operation: string;
  fingerprint: string;
  now: Date;
  /** Until when the claim holds if its owner never finishes (crash). */
  lockedUntil: Date;
}

export type ClaimOutcome =
  | { kind: 'claimed' }
  | { kind: 'completed'; fingerprint: string; paymentId: string }
  | { kind: 'in_progress'; fingerprint: string }
  /** The row vanished between insert and read (its owner released it): claim again. */
  | { kind: 'retry' };

export interface PageCursor {
  createdAt: Date;
  id: string;
}

/**
 * Storage as the domain needs it. Every write that finishes a request also marks its idempotency key
 * COMPLETED in the same database transaction, so a result is never recorded without its effect or vice versa.
 */
export interface PaymentStore {
  claimRequest(claim: IdempotencyClaim): Promise<ClaimOutcome>;
  /** Forgets an unfinished claim so that the request may run again (failures that decided nothing). */
  /** Frees this caller's claim (identified by its lease end) so that a retry may run; a taken-over claim is left alone. */
  releaseRequest(requestId: string, claimedUntil: Date): Promise<void>;
  createPayment(payment: NewPayment, requestId: string): Promise<void>;
  /**
   * Locks the payment row, hands the locked state to `decide`, then writes the movement it returns, the new
   * status and the completed key, all in one transaction. Concurrent movements on one payment serialize here.
   * Returns false when the payment does not exist.
   */
  recordMovement(
    paymentId: string,
    requestId: string,
    decide: (current: PaymentRecord) => Promise<{ movement: Movement; entry: NewLedgerEntry }>,
  ): Promise<boolean>;
  findPayment(id: string): Promise<PaymentRecord | null>;
  /** Payments of an order, oldest first, after the cursor. */
  listPayments(orderId: string, limit: number, after: PageCursor | undefined): Promise<PaymentRecord[]>;
}
