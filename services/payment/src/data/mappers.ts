import type { LedgerEntry } from '../domain/ledger';
import type { PaymentStatus } from '../domain/payment-state';
import type { PaymentRecord } from '../domain/ports';
import type { Payment, PaymentTransaction } from '../generated/prisma/client';

export const LEDGER_ORDER = { seq: 'asc' } as const;

export const toLedgerEntry = (row: PaymentTransaction): LedgerEntry => ({
  id: row.id,
  kind: row.kind,
  amountMinor: row.amountMinor,
  currency: row.currency,
  requestId: row.requestId,
  reason: row.reason,
  createdAt: row.createdAt,
});

/** Reads exclude PENDING attempts; one that slipped through would be a bug, not a payment. */
function paymentStatus(row: Payment): PaymentStatus {
  if (row.status === 'PENDING') throw new Error(`payment ${row.id} is an unfinished authorization attempt`);
  return row.status;
}

export const toPaymentRecord = (row: Payment & { transactions: PaymentTransaction[] }): PaymentRecord => ({
  id: row.id,
  orderId: row.orderId,
  status: paymentStatus(row),
  currency: row.currency,
  requestedMinor: row.requestedMinor,
  card: { brand: row.cardBrand, last4: row.cardLast4, expMonth: row.cardExpMonth, expYear: row.cardExpYear },
  declineCode: row.declineCode,
  processorReference: row.processorReference,
  authorizationExpiresAt: row.authorizationExpiresAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  transactions: row.transactions.map(toLedgerEntry),
});
