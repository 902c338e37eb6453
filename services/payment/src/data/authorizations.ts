import type { Pool } from 'pg';
import type { AuthorizationOutcome, PaymentRecord } from '../domain/ports';
import { PAYMENT_COLUMNS, paymentFromRow, type PaymentRow } from './payment-rows';

// The outcome, its ledger row and the completed key in one statement (atomic without a transaction block).
// Only a PENDING attempt is completed: a second owner of the same request (after a lease takeover) finds it done.
// The key is completed only together with the payment, never alone.
const COMPLETE = `
  WITH payment AS (
    UPDATE payments
       SET status = $2, decline_code = $3, processor_reference = $4, authorization_expires_at = $5,
           created_at = $6, updated_at = $6
     WHERE id = $1::uuid AND status = 'PENDING'
    RETURNING ${PAYMENT_COLUMNS}
  ), entry AS (
    INSERT INTO payment_transactions (id, payment_id, kind, amount_minor, currency, request_id, reason, created_at)
    SELECT $7::uuid, payment.id, $8::"TransactionKind", $9::bigint, $10::text, $11::text, NULL, $6::timestamptz FROM payment
  ), key AS (
    UPDATE idempotency_keys SET state = 'COMPLETED', payment_id = $1::uuid, updated_at = $6
     WHERE request_id = $11 AND EXISTS (SELECT 1 FROM payment)
  )
  SELECT * FROM payment`;

export async function completeAuthorization(
  pool: Pool,
  paymentId: string,
  requestId: string,
  outcome: AuthorizationOutcome,
): Promise<PaymentRecord | null> {
  const { entry } = outcome;
  const { rows } = await pool.query<PaymentRow>({
    name: 'payment-complete-authorization',
    text: COMPLETE,
    values: [
      paymentId, outcome.status, outcome.declineCode, outcome.processorReference, outcome.authorizationExpiresAt, outcome.recordedAt,
      entry.id, entry.kind, entry.amountMinor.toString(), entry.currency, requestId,
    ],
  });
  const row = rows[0];
  if (row === undefined) return null;
  return paymentFromRow(row, [{ ...entry, createdAt: outcome.recordedAt }]);
}
