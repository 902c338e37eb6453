-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'DECLINED', 'FAILED');

-- CreateEnum
CREATE TYPE "TransactionKind" AS ENUM ('AUTHORIZATION', 'CAPTURE', 'VOID', 'REFUND', 'DECLINE');

-- CreateEnum
CREATE TYPE "IdempotencyState" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "order_id" VARCHAR(128) NOT NULL,
    "status" "PaymentStatus" NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "requested_minor" BIGINT NOT NULL,
    "card_brand" VARCHAR(32) NOT NULL,
    "card_last4" VARCHAR(4) NOT NULL,
    "card_exp_month" INTEGER NOT NULL,
    "card_exp_year" INTEGER NOT NULL,
    "decline_code" VARCHAR(64),
    "processor_reference" VARCHAR(128),
    "authorization_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_transactions" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "payment_id" UUID NOT NULL,
    "kind" "TransactionKind" NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "request_id" VARCHAR(128) NOT NULL,
    "reason" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "request_id" VARCHAR(128) NOT NULL,
    "operation" VARCHAR(32) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "state" "IdempotencyState" NOT NULL,
    "payment_id" UUID,
    "locked_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("request_id")
);

-- CreateIndex
CREATE INDEX "payments_order_id_created_at_id_idx" ON "payments"("order_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_transactions_seq_key" ON "payment_transactions"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "payment_transactions_request_id_key" ON "payment_transactions"("request_id");

-- CreateIndex
CREATE INDEX "payment_transactions_payment_id_created_at_idx" ON "payment_transactions"("payment_id", "created_at");

-- AddForeignKey
ALTER TABLE "payment_transactions" ADD CONSTRAINT "payment_transactions_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: invariants Prisma cannot express. Money is positive, currencies are ISO 4217 codes, and only the
-- last 4 digits of a card can ever be stored.
ALTER TABLE "payments" ADD CONSTRAINT "payments_requested_minor_positive" CHECK ("requested_minor" > 0);
ALTER TABLE "payments" ADD CONSTRAINT "payments_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "payments" ADD CONSTRAINT "payments_card_last4_digits" CHECK ("card_last4" ~ '^[0-9]{4}$');
ALTER TABLE "payments" ADD CONSTRAINT "payments_card_exp_month_range" CHECK ("card_exp_month" BETWEEN 1 AND 12);
ALTER TABLE "payment_transactions" ADD CONSTRAINT "payment_transactions_amount_positive" CHECK ("amount_minor" > 0);
ALTER TABLE "payment_transactions" ADD CONSTRAINT "payment_transactions_currency_iso4217" CHECK ("currency" ~ '^[A-Z]{3}$');
