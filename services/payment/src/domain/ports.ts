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

/**
 * An authorization as recorded before the processor is asked: a PENDING payment that reads never return. It
 * becomes AUTHORIZED or DECLINED with its outcome, or is deleted when the attempt decided nothing.
 */
export interface AuthorizationAttempt {
  orderId: string;
  currency: string;
  requestedMinor: bigint;
  card: CardSummary;
  createdAt: Date;
}

/** What the processor answered, recorded with the ledger row and the completed key in one statement. */
export interface AuthorizationOutcome {
  status: Extract<PaymentStatus, 'AUTHORIZED' | 'DECLINED'>;
  declineCode: string | null;
  processorReference: string | null;
  /** When the payment was recorded: its create time, from which the authorization's expiry counts. */
  recordedAt: Date;
  authorizationExpiresAt: Date;
  /** The AUTHORIZATION or DECLINE ledger row. */
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

/** The operation name of authorizations' idempotency keys: the only keys that own a PENDING attempt. */
export const AUTHORIZE_OPERATION = 'authorize';

export interface IdempotencyClaim {
  requestId: string;
  operation: string;
  fingerprint: string;
  /** The payment the request acts on: the existing one of a movement, a new id for an authorization. */
  paymentId: string;
  now: Date;
  /** Until when the claim holds if its owner never finishes (crash). */
  lockedUntil: Date;
  /** Authorizations only: recorded as a PENDING payment (id `paymentId`) together with the claim. */
  attempt?: AuthorizationAttempt;
  /** Movements only: also try to claim the payment for this movement (as reserveMovement), in the same round trip. */
  reserveMovement?: boolean;
}

export type ClaimOutcome =
  /**
   * paymentId: the claim's own, or that of the first attempt when a dead owner's claim was taken over.
   * movementReserved: the payment was claimed for the movement too (else the movement claims it itself).
   */
  | { kind: 'claimed'; paymentId: string; movementReserved: boolean }
  | { kind: 'completed'; fingerprint: string; paymentId: string }
  | { kind: 'in_progress'; fingerprint: string }
  /** The row vanished between insert and read (its owner released it): claim again. */
  | { kind: 'retry' };

/** A movement may start only when no other movement of the payment is in progress. */
export type MovementReservation =
  | { kind: 'reserved' }
  | { kind: 'busy' }
  | { kind: 'not_found' };

export interface PageCursor {
  createdAt: Date;
  id: string;
}

/**
 * Storage as the domain needs it. No method holds a database transaction or lock while the processor is called:
 * an authorization is recorded (PENDING) before the call and completed after it; a movement claims its payment
 * (reserveMovement) before the call, and the claim is what concurrent movements respect. Every write that
 * finishes a request marks its idempotency key COMPLETED in the same statement, so a result is never recorded
 * without its effect or vice versa.
 */
export interface PaymentStore {
  /** Claims the request id; for an authorization, records the attempt with it. */
  claimRequest(claim: IdempotencyClaim): Promise<ClaimOutcome>;
  /**
   * Frees this caller's claim (identified by its lease end) so that a retry may run, with what it left on its
   * payment `paymentId`: a PENDING attempt is deleted, a movement claim with this lease cleared. A taken-over claim
   * is left alone.
   */
  releaseRequest(requestId: string, claimedUntil: Date, paymentId: string): Promise<void>;
  /**
   * Keeps this caller's claim (same lease end) IN_PROGRESS, with its attempt and movement claim, but ends its lease
   * at `until`: the outcome is unknown, and a retry of the same request id may take it over from then on.
   */
  holdRequest(requestId: string, claimedUntil: Date, until: Date): Promise<void>;
  /**
   * Records the processor's answer on the PENDING payment, its ledger row and the completed key, and returns the
   * payment; null when the attempt is no longer PENDING (another owner of the same request recorded it first).
   */
  completeAuthorization(paymentId: string, requestId: string, outcome: AuthorizationOutcome): Promise<PaymentRecord | null>;
  /** Marks the payment as moved by this request until `until` (the request's lease), unless another movement holds it. */
  reserveMovement(paymentId: string, requestId: string, until: Date, now: Date): Promise<MovementReservation>;
  /**
   * Writes the movement's ledger row, the new status and the completed key, and clears the movement claim, in one
   * statement; returns the payment with its ledger, or null when this request no longer holds the claim.
   */
  recordMovement(current: PaymentRecord, requestId: string, movement: Movement, entry: NewLedgerEntry, at: Date): Promise<PaymentRecord | null>;
  findPayment(id: string): Promise<PaymentRecord | null>;
  /** Payments of an order, oldest first, after the cursor. */
  listPayments(orderId: string, limit: number, after: PageCursor | undefined): Promise<PaymentRecord[]>;
}
