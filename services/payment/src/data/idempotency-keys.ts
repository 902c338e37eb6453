import type { Pool } from 'pg';
import { AUTHORIZE_OPERATION, type AuthorizationAttempt, type ClaimOutcome, type IdempotencyClaim } from '../domain/ports';

interface ClaimRow {
  claimed: boolean;
  reserved: boolean;
  state: 'IN_PROGRESS' | 'COMPLETED' | null;
  fingerprint: string | null;
  payment_id: string | null;
  locked_until: Date | null;
}

// The columns of an authorization attempt (a PENDING payment row), written by a claim and by a take-over alike.
const ATTEMPT_COLUMNS = 'id, order_id, status, currency, requested_minor, card_brand, card_last4, card_exp_month, card_exp_year, authorization_expires_at, created_at, updated_at';

// Insert-first: the primary key decides which of several concurrent calls owns a request id. Only when the key was
// inserted, the same statement (one round trip) also records an authorization's attempt (a PENDING payment) or
// claims a movement's payment (as movements.ts RESERVE does; a busy payment is claimed later by that statement).
// A conflicting key is returned as it stood when the statement began; when its owner inserted it after that and
// released it since, no row comes back and the caller claims again.
const CLAIM = `
  WITH key AS (
    INSERT INTO idempotency_keys (request_id, operation, fingerprint, state, payment_id, locked_until, created_at, updated_at)
    VALUES ($1, $2, $3, 'IN_PROGRESS', $4::uuid, $5, $6::timestamptz, $6)
    ON CONFLICT (request_id) DO NOTHING
    RETURNING payment_id
  ), attempt AS (
    INSERT INTO payments (${ATTEMPT_COLUMNS})
    SELECT key.payment_id, $8::text, 'PENDING'::"PaymentStatus", $9::text, $10::bigint, $11::text, $12::text, $13::int, $14::int, $6, $6, $6
      FROM key WHERE $7::boolean
  ), reserved AS (
    UPDATE payments SET movement_request_id = $1, movement_until = $5
     WHERE $15::boolean AND id = $4::uuid AND EXISTS (SELECT 1 FROM key) AND status <> 'PENDING'
       AND (movement_request_id IS NULL OR movement_request_id = $1 OR movement_until <= $6)
    RETURNING id
  )
  SELECT true AS claimed, EXISTS (SELECT 1 FROM reserved) AS reserved, NULL AS state, NULL AS fingerprint, NULL::uuid AS payment_id, NULL::timestamptz AS locked_until FROM key
  UNION ALL
  SELECT false, false, k.state::text, k.fingerprint, k.payment_id, k.locked_until
    FROM idempotency_keys k WHERE k.request_id = $1 AND NOT EXISTS (SELECT 1 FROM key)`;

// A claim whose lease ran out (its owner died) passes to the first caller that presents the lease it saw. The
// request keeps the payment its first attempt recorded; the attempt row is (re)inserted if it is missing.
const TAKE_OVER = `
  WITH key AS (
    UPDATE idempotency_keys SET locked_until = $3, updated_at = $4::timestamptz, payment_id = COALESCE(payment_id, $5::uuid)
     WHERE request_id = $1 AND state = 'IN_PROGRESS' AND locked_until = $2
    RETURNING payment_id
  ), attempt AS (
    INSERT INTO payments (${ATTEMPT_COLUMNS})
    SELECT key.payment_id, $7::text, 'PENDING'::"PaymentStatus", $8::text, $9::bigint, $10::text, $11::text, $12::int, $13::int, $4, $4, $4
      FROM key WHERE $6::boolean
    ON CONFLICT (id) DO NOTHING
  )
  SELECT payment_id FROM key`;

// Only our own claim (same lease end), with what it left on its payment: the PENDING attempt of an authorization
// (only an authorization's: a movement's payment id may name someone else's attempt), and our movement claim (same
// request id and lease), cleared even when the key is no longer ours, so a stuck claim never outlives the release.
const RELEASE = `
  WITH key AS (
    DELETE FROM idempotency_keys WHERE request_id = $1 AND state = 'IN_PROGRESS' AND locked_until = $2
    RETURNING payment_id, operation
  ), attempt AS (
    DELETE FROM payments WHERE id = (SELECT payment_id FROM key WHERE operation = $3) AND status = 'PENDING'
  )
  UPDATE payments SET movement_request_id = NULL, movement_until = NULL
   WHERE id = $4::uuid AND movement_request_id = $1 AND movement_until = $2`;

// Our claim stays IN_PROGRESS (its attempt and movement claim untouched); only its lease is cut short.
const HOLD = `
  UPDATE idempotency_keys SET locked_until = $3, updated_at = $3
   WHERE request_id = $1 AND state = 'IN_PROGRESS' AND locked_until = $2`;

/** The attempt's columns as statement parameters; placeholders when the request is not an authorization. */
function attemptValues(attempt: AuthorizationAttempt | undefined): unknown[] {
  if (attempt === undefined) return [false, null, null, null, null, null, null, null];
  const { card } = attempt;
  return [true, attempt.orderId, attempt.currency, attempt.requestedMinor.toString(), card.brand, card.last4, card.expMonth, card.expYear];
}

export async function claimKey(pool: Pool, claim: IdempotencyClaim): Promise<ClaimOutcome> {
  const { rows } = await pool.query<ClaimRow>({
    name: 'payment-claim-key',
    text: CLAIM,
    values: [
      claim.requestId, claim.operation, claim.fingerprint, claim.paymentId, claim.lockedUntil, claim.now,
      ...attemptValues(claim.attempt), claim.reserveMovement === true,
    ],
  });
  const row = rows[0];
  if (row === undefined) return { kind: 'retry' };
  if (row.claimed) return { kind: 'claimed', paymentId: claim.paymentId, movementReserved: row.reserved };
  const fingerprint = row.fingerprint ?? '';
  if (row.state === 'COMPLETED' && row.payment_id !== null) return { kind: 'completed', fingerprint, paymentId: row.payment_id };
  if (fingerprint === claim.fingerprint && row.locked_until !== null && row.locked_until.getTime() <= claim.now.getTime()) {
    const taken = await pool.query<{ payment_id: string }>({
      name: 'payment-take-over-key',
      text: TAKE_OVER,
      values: [claim.requestId, row.locked_until, claim.lockedUntil, claim.now, claim.paymentId, ...attemptValues(claim.attempt)],
    });
    const paymentId = taken.rows[0]?.payment_id;
    if (paymentId !== undefined) return { kind: 'claimed', paymentId, movementReserved: false };
  }
  return { kind: 'in_progress', fingerprint };
}

export async function releaseKey(pool: Pool, requestId: string, claimedUntil: Date, paymentId: string): Promise<void> {
  await pool.query({ name: 'payment-release-key', text: RELEASE, values: [requestId, claimedUntil, AUTHORIZE_OPERATION, paymentId] });
}

export async function holdKey(pool: Pool, requestId: string, claimedUntil: Date, until: Date): Promise<void> {
  await pool.query({ name: 'payment-hold-key', text: HOLD, values: [requestId, claimedUntil, until] });
}
