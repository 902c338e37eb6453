import type { Movement } from '../domain/payment-state';
import type {
  ClaimOutcome,
  IdempotencyClaim,
  NewLedgerEntry,
  NewPayment,
  PageCursor,
  PaymentRecord,
  PaymentStore,
} from '../domain/ports';
import type { PaymentDatabase } from './client';
import { claimKey, completeKey, releaseKey } from './idempotency-keys';
import { LEDGER_ORDER, toPaymentRecord } from './mappers';

export interface StoreSettings {
  /** Longest a movement's transaction (row lock + processor call) may stay open. */
  transactionTimeoutMs: number;
}

const withLedger = { transactions: { orderBy: LEDGER_ORDER } } as const;

export function createPaymentStore(db: PaymentDatabase, settings: StoreSettings): PaymentStore {
  const txOptions = { timeout: settings.transactionTimeoutMs, maxWait: settings.transactionTimeoutMs };

  return {
    claimRequest: (claim: IdempotencyClaim): Promise<ClaimOutcome> => claimKey(db, claim),
    releaseRequest: (requestId: string, claimedUntil: Date) => releaseKey(db, requestId, claimedUntil),

    async createPayment(payment: NewPayment, requestId: string): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.payment.create({
          data: {
            id: payment.id,
            orderId: payment.orderId,
            status: payment.status,
            currency: payment.currency,
            requestedMinor: payment.requestedMinor,
            cardBrand: payment.card.brand,
            cardLast4: payment.card.last4,
            cardExpMonth: payment.card.expMonth,
            cardExpYear: payment.card.expYear,
            declineCode: payment.declineCode,
            processorReference: payment.processorReference,
            authorizationExpiresAt: payment.authorizationExpiresAt,
            createdAt: payment.createdAt,
            updatedAt: payment.createdAt,
            transactions: { create: [payment.entry] },
          },
        });
        await completeKey(tx, requestId, payment.id);
      }, txOptions);
    },

    async recordMovement(
      paymentId: string,
      requestId: string,
      decide: (current: PaymentRecord) => Promise<{ movement: Movement; entry: NewLedgerEntry }>,
    ): Promise<boolean> {
      return db.$transaction(async (tx) => {
        // The row lock serializes every movement of one payment: limits are checked against a ledger
        // that no concurrent capture or refund can change until this transaction ends.
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM payments WHERE id = ${paymentId}::uuid FOR UPDATE`;
        if (locked.length === 0) return false;
        const row = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: withLedger });
        const { movement, entry } = await decide(toPaymentRecord(row));
        await tx.paymentTransaction.create({ data: { ...entry, paymentId } });
        await tx.payment.update({ where: { id: paymentId }, data: { status: movement.status, updatedAt: new Date() } });
        await completeKey(tx, requestId, paymentId);
        return true;
      }, txOptions);
    },

    async findPayment(id: string): Promise<PaymentRecord | null> {
      const row = await db.payment.findUnique({ where: { id }, include: withLedger });
      return row === null ? null : toPaymentRecord(row);
    },

    async listPayments(orderId: string, limit: number, after: PageCursor | undefined): Promise<PaymentRecord[]> {
      const rows = await db.payment.findMany({
        where: {
          orderId,
          ...(after === undefined
            ? {}
            : { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
        include: withLedger,
      });
      return rows.map(toPaymentRecord);
    },
  };
}
