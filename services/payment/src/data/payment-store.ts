import type { PaymentStore } from '../domain/ports';
import { completeAuthorization } from './authorizations';
import type { PaymentDatabase } from './client';
import { claimKey, holdKey, releaseKey } from './idempotency-keys';
import { recordMovement, reserveMovement } from './movements';
import { findPayment, listPayments } from './payment-reads';

/**
 * The payment store: each hot step is one raw SQL statement through the pool (no BEGIN/COMMIT round trips, no
 * interactive transaction), atomic on its own; Prisma owns the schema and serves the cold list.
 */
export function createPaymentStore(db: PaymentDatabase): PaymentStore {
  const { pool } = db;
  return {
    claimRequest: (claim) => claimKey(pool, claim),
    releaseRequest: (requestId, claimedUntil, paymentId) => releaseKey(pool, requestId, claimedUntil, paymentId),
    holdRequest: (requestId, claimedUntil, until) => holdKey(pool, requestId, claimedUntil, until),
    completeAuthorization: (paymentId, requestId, outcome) => completeAuthorization(pool, paymentId, requestId, outcome),
    reserveMovement: (paymentId, requestId, until, now) => reserveMovement(pool, paymentId, requestId, until, now),
    recordMovement: (current, requestId, movement, entry, at) => recordMovement(pool, current, requestId, movement, entry, at),
    findPayment: (id) => findPayment(db, id),
    listPayments: (orderId, limit, after) => listPayments(db, orderId, limit, after),
  };
}
