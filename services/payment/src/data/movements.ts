import type { Pool } from 'pg';
import type { Movement } from '../domain/payment-state';
import type { MovementReservation, NewLedgerEntry, PaymentRecord } from '../domain/ports';
import { PAYMENT_COLUMNS, paymentFromRow, type PaymentRow } from './payment-rows';

// Claims the payment for one movement: free, already ours (a retry of the same request), or left by a dead owner.
// A concurrent claim of the same row waits for this statement only (microseconds), then re-checks and sees it
// taken. PENDING attempts are not payments yet. The second row tells "taken" from "no such payment".
const RESERVE = `
  WITH reserved AS (
    UPDATE payments SET movement_request_id = $2, movement_until = $3
     WHERE id = $1::uuid AND status <> 'PENDING'
       AND (movement_request_id IS NULL OR movement_request_id = $2 OR movement_until <= $4)
    RETURNING id
  )
  SELECT EXISTS (SELECT 1 FROM reserved) AS reserved,
         EXISTS (SELECT 1 FROM payments WHERE id = $1::uuid AND status <> 'PENDING') AS found`;

// The movement's ledger row, the new status and the completed key, with the claim cleared: one statement, and
// only while this request still holds the claim.
const RECORD = `
  WITH payment AS (
    UPDATE payments SET status = $3, updated_at = $4, movement_request_id = NULL, movement_until = NULL
     WHERE id = $1::uuid AND movement_request_id = $2
    RETURNING ${PAYMENT_COLUMNS}
  ), entry AS (
    INSERT INTO payment_transactions (id, payment_id, kind, amount_minor, currency, request_id, reason, created_at)
    SELECT $5::uuid, payment.id, $6::"TransactionKind", $7::bigint, $8::text, $2::text, $9::text, $4::timestamptz FROM payment
  ), key AS (
    UPDATE idempotency_keys SET state = 'COMPLETED', payment_id = $1::uuid, updated_at = $4
     WHERE request_id = $2 AND EXISTS (SELECT 1 FROM payment)
  )
  SELECT * FROM payment`;

export async function reserveMovement(pool: Pool, paymentId: string, requestId: string, until: Date, now: Date): Promise<MovementReservation> {
  const { rows } = await pool.query<{ reserved: boolean; found: boolean }>({
    name: 'payment-reserve-movement',
    text: RESERVE,
    values: [paymentId, requestId, until, now],
  });
  const row = rows[0];
  if (row?.reserved === true) return { kind: 'reserved' };
  return row?.found === true ? { kind: 'busy' } : { kind: 'not_found' };
}

export async function recordMovement(
  pool: Pool,
  current: PaymentRecord,
  requestId: string,
  movement: Movement,
  entry: NewLedgerEntry,
  at: Date,
): Promise<PaymentRecord | null> {
  const { rows } = await pool.query<PaymentRow>({
    name: 'payment-record-movement',
    text: RECORD,
    values: [current.id, requestId, movement.status, at, entry.id, entry.kind, entry.amountMinor.toString(), entry.currency, entry.reason],
  });
  const row = rows[0];
  if (row === undefined) return null;
  // Nothing else can have written this payment's ledger while the claim was held: ours is the last row.
  return paymentFromRow(row, [...current.transactions, { ...entry, createdAt: at }]);
}
