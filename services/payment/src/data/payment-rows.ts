import type { LedgerEntry } from '../domain/ledger';
import type { PaymentStatus, TransactionKind } from '../domain/payment-state';
import type { PaymentRecord } from '../domain/ports';

/** A payments row as raw `pg` returns it: int8 arrives as a string, timestamptz as a Date. */
export interface PaymentRow {
  id: string;
  order_id: string;
  status: PaymentStatus;
  currency: string;
  requested_minor: string;
  card_brand: string;
  card_last4: string;
  card_exp_month: number;
  card_exp_year: number;
  decline_code: string | null;
  processor_reference: string | null;
  authorization_expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** One ledger row inside LEDGER_JSON: amounts travel as text (JSON numbers would lose int8 precision). */
interface LedgerJson {
  id: string;
  kind: TransactionKind;
  amountMinor: string;
  currency: string;
  requestId: string;
  reason: string | null;
  createdAt: string;
}

const COLUMNS = [
  'id', 'order_id', 'status', 'currency', 'requested_minor', 'card_brand', 'card_last4', 'card_exp_month', 'card_exp_year',
  'decline_code', 'processor_reference', 'authorization_expires_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof PaymentRow)[];

/** The columns of a PaymentRow, for RETURNING clauses. */
export const PAYMENT_COLUMNS = COLUMNS.join(', ');
/** The same, of the payments table aliased `p` (the alias LEDGER_JSON refers to). */
export const P_PAYMENT_COLUMNS = COLUMNS.map((column) => `p.${column}`).join(', ');

/** The ledger of payment `p` as one JSON array, in ledger order (seq), so a payment and its ledger are one row. */
export const LEDGER_JSON = `COALESCE((
  SELECT json_agg(json_build_object('id', t.id, 'kind', t.kind, 'amountMinor', t.amount_minor::text, 'currency', t.currency,
                                    'requestId', t.request_id, 'reason', t.reason, 'createdAt', t.created_at) ORDER BY t.seq)
    FROM payment_transactions t WHERE t.payment_id = p.id), '[]'::json)`;

const ledgerEntry = (json: LedgerJson): LedgerEntry => ({
  id: json.id,
  kind: json.kind,
  amountMinor: BigInt(json.amountMinor),
  currency: json.currency,
  requestId: json.requestId,
  reason: json.reason,
  createdAt: new Date(json.createdAt),
});

export function paymentFromRow(row: PaymentRow, ledger: readonly LedgerEntry[]): PaymentRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    currency: row.currency,
    requestedMinor: BigInt(row.requested_minor),
    card: { brand: row.card_brand, last4: row.card_last4, expMonth: row.card_exp_month, expYear: row.card_exp_year },
    declineCode: row.decline_code,
    processorReference: row.processor_reference,
    authorizationExpiresAt: row.authorization_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    transactions: [...ledger],
  };
}

/** A payments row with LEDGER_JSON beside it, as `ledger`. */
export type PaymentWithLedgerRow = PaymentRow & { ledger: LedgerJson[] };

export const paymentWithLedgerFromRow = (row: PaymentWithLedgerRow): PaymentRecord =>
  paymentFromRow(row, row.ledger.map(ledgerEntry));
