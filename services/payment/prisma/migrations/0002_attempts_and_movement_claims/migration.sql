-- Hand-written. Two records that let the service call the card processor outside any database transaction.
--
-- PENDING: an authorization is recorded (order, amount, card summary, never the number or CVC) before the
-- processor is asked, so a crash between the processor's approval and the outcome leaves a row to reconcile
-- instead of an unrecorded hold. PENDING payments are internal: reads and lists never return them.
ALTER TYPE "PaymentStatus" ADD VALUE 'PENDING';

-- The movement claim: a capture, void or refund marks the payment with its request id until it has recorded
-- its outcome. Concurrent movements of the same payment wait for it to clear (or for movement_until to pass,
-- when its owner died) instead of holding a row lock across the processor call.
ALTER TABLE "payments" ADD COLUMN "movement_request_id" VARCHAR(128);
ALTER TABLE "payments" ADD COLUMN "movement_until" TIMESTAMPTZ(3);
ALTER TABLE "payments" ADD CONSTRAINT "payments_movement_claim_complete"
  CHECK (("movement_request_id" IS NULL) = ("movement_until" IS NULL));
