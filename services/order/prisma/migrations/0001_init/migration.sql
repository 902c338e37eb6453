-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "order_status" AS ENUM ('PENDING', 'CONFIRMED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "saga_phase" AS ENUM ('FORWARD', 'COMPENSATING', 'CANCELLING', 'DONE');

-- CreateEnum
CREATE TYPE "saga_step" AS ENUM ('CREATED', 'PRICED', 'RESERVING', 'RESERVED', 'AUTHORIZING', 'AUTHORIZED', 'COMMITTED', 'CAPTURED');

-- CreateEnum
CREATE TYPE "idempotency_state" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "status" "order_status" NOT NULL DEFAULT 'PENDING',
    "status_reason" TEXT NOT NULL DEFAULT '',
    "phase" "saga_phase" NOT NULL DEFAULT 'FORWARD',
    "step" "saga_step" NOT NULL DEFAULT 'CREATED',
    "pending_reason" TEXT,
    "currency" CHAR(3),
    "total_minor" BIGINT,
    "ship_name" TEXT NOT NULL,
    "ship_line1" TEXT NOT NULL,
    "ship_line2" TEXT NOT NULL DEFAULT '',
    "ship_city" TEXT NOT NULL,
    "ship_postal_code" TEXT NOT NULL,
    "ship_country" CHAR(2) NOT NULL,
    "payment_id" TEXT,
    "payment_status" TEXT,
    "card_brand" TEXT,
    "card_last4" CHAR(4),
    "card_exp_month" INTEGER,
    "card_exp_year" INTEGER,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "recovery_attempts" INTEGER NOT NULL DEFAULT 0,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_items" (
    "order_id" UUID NOT NULL,
    "product_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "sku" TEXT,
    "name" TEXT,
    "unit_price_minor" BIGINT,
    "line_total_minor" BIGINT,

    CONSTRAINT "order_items_pkey" PRIMARY KEY ("order_id","product_id")
);

-- CreateTable
CREATE TABLE "saga_steps" (
    "id" BIGSERIAL NOT NULL,
    "order_id" UUID NOT NULL,
    "phase" "saga_phase" NOT NULL,
    "step" "saga_step" NOT NULL,
    "event" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saga_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "user_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "state" "idempotency_state" NOT NULL DEFAULT 'IN_PROGRESS',
    "result_code" INTEGER,
    "result_order" JSONB,
    "error_message" TEXT,
    "error_details" JSONB,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("user_id","request_id")
);

-- CreateIndex
CREATE INDEX "orders_user_newest_idx" ON "orders"("user_id", "create_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_newest_idx" ON "orders"("create_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_status_newest_idx" ON "orders"("status", "create_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_recovery_idx" ON "orders"("phase", "lease_until");

-- CreateIndex
CREATE INDEX "saga_steps_order_idx" ON "saga_steps"("order_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_keys_order_id_key" ON "idempotency_keys"("order_id");

-- CreateIndex
CREATE INDEX "idempotency_keys_expiry_idx" ON "idempotency_keys"("expires_at");

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saga_steps" ADD CONSTRAINT "saga_steps_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: rules Prisma cannot express.
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_quantity_check" CHECK ("quantity" BETWEEN 1 AND 100);
ALTER TABLE "orders" ADD CONSTRAINT "orders_total_check" CHECK ("total_minor" IS NULL OR "total_minor" >= 0);
-- A finished saga holds no lease.
ALTER TABLE "orders" ADD CONSTRAINT "orders_done_unleased_check" CHECK ("phase" <> 'DONE' OR "lease_owner" IS NULL);
