import type { ClaimOutcome, IdempotencyClaim } from '../domain/ports';
import type { PaymentDatabase } from './client';

type Transaction = Parameters<Parameters<PaymentDatabase['$transaction']>[0]>[0];

/**
 * Insert-first: the unique primary key decides which of several concurrent calls owns a request id. The others
 * read the row and wait (domain), or take over a claim whose owner died (lease expired, same fingerprint).
 */
export async function claimKey(db: PaymentDatabase, claim: IdempotencyClaim): Promise<ClaimOutcome> {
  const inserted = await db.idempotencyKey.createMany({
    data: [{
      requestId: claim.requestId,
      operation: claim.operation,
      fingerprint: claim.fingerprint,
      state: 'IN_PROGRESS',
      lockedUntil: claim.lockedUntil,
    }],
    skipDuplicates: true,
  });
  if (inserted.count === 1) return { kind: 'claimed' };

  const row = await db.idempotencyKey.findUnique({ where: { requestId: claim.requestId } });
  if (row === null) return { kind: 'retry' };
  if (row.state === 'COMPLETED' && row.paymentId !== null) {
    return { kind: 'completed', fingerprint: row.fingerprint, paymentId: row.paymentId };
  }
  if (row.fingerprint === claim.fingerprint && row.lockedUntil.getTime() <= claim.now.getTime()) {
    const taken = await db.idempotencyKey.updateMany({
      where: { requestId: claim.requestId, state: 'IN_PROGRESS', lockedUntil: row.lockedUntil },
      data: { lockedUntil: claim.lockedUntil, updatedAt: claim.now },
    });
    if (taken.count === 1) return { kind: 'claimed' };
  }
  return { kind: 'in_progress', fingerprint: row.fingerprint };
}

/** Frees a claim, but only our own: after a takeover the lease (lockedUntil) is someone else's. */
export async function releaseKey(db: PaymentDatabase, requestId: string, claimedUntil: Date): Promise<void> {
  await db.idempotencyKey.deleteMany({ where: { requestId, state: 'IN_PROGRESS', lockedUntil: claimedUntil } });
}

/** Called inside the transaction that writes the request's effect. */
export async function completeKey(tx: Transaction, requestId: string, paymentId: string): Promise<void> {
  await tx.idempotencyKey.update({
    where: { requestId },
    data: { state: 'COMPLETED', paymentId, updatedAt: new Date() },
  });
}

export type { Transaction };
