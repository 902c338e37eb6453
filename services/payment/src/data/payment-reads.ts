import type { PageCursor, PaymentRecord } from '../domain/ports';
import type { PaymentDatabase } from './client';
import { LEDGER_ORDER, toPaymentRecord } from './mappers';
import { LEDGER_JSON, P_PAYMENT_COLUMNS, paymentWithLedgerFromRow, type PaymentWithLedgerRow } from './payment-rows';

// A payment and its ledger in one statement (every write's answer reads it after a duplicate, and the movements
// read it for their decision). PENDING attempts are not payments yet.
const FIND = `SELECT ${P_PAYMENT_COLUMNS}, ${LEDGER_JSON} AS ledger
  FROM payments p WHERE p.id = $1::uuid AND p.status <> 'PENDING'`;

export async function findPayment(db: PaymentDatabase, id: string): Promise<PaymentRecord | null> {
  const { rows } = await db.pool.query<PaymentWithLedgerRow>({
    name: 'payment-find',
    text: FIND,
    values: [id],
  });
  const row = rows[0];
  return row === undefined ? null : paymentWithLedgerFromRow(row);
}

/** A cold path (order recovery, admins): Prisma keeps it. */
export async function listPayments(db: PaymentDatabase, orderId: string, limit: number, after: PageCursor | undefined): Promise<PaymentRecord[]> {
  const rows = await db.prisma.payment.findMany({
    where: {
      orderId,
      status: { not: 'PENDING' },
      ...(after === undefined
        ? {}
        : { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: limit,
    include: { transactions: { orderBy: LEDGER_ORDER } },
  });
  return rows.map(toPaymentRecord);
}
