-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "movement_kind" AS ENUM ('ADJUSTMENT', 'RESERVE', 'RELEASE', 'COMMIT', 'EXPIRE', 'RESTOCK');

-- CreateEnum
CREATE TYPE "reservation_state" AS ENUM ('HELD', 'COMMITTED', 'RELEASED', 'EXPIRED', 'RESTOCKED');

-- CreateTable
CREATE TABLE "products" (
    "id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "price_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "category" TEXT NOT NULL,
    "image_urls" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archive_time" TIMESTAMPTZ(3),

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock" (
    "product_id" UUID NOT NULL,
    "on_hand" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "sold" INTEGER NOT NULL DEFAULT 0,
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_pkey" PRIMARY KEY ("product_id")
);

-- CreateTable
CREATE TABLE "stock_movements" (
    "id" BIGSERIAL NOT NULL,
    "product_id" UUID NOT NULL,
    "kind" "movement_kind" NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "reservation_id" TEXT,
    "request_id" TEXT,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reservations" (
    "id" TEXT NOT NULL,
    "state" "reservation_state" NOT NULL DEFAULT 'HELD',
    "expire_time" TIMESTAMPTZ(3) NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reservation_items" (
    "reservation_id" TEXT NOT NULL,
    "product_id" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,

    CONSTRAINT "reservation_items_pkey" PRIMARY KEY ("reservation_id","product_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "products_sku_key" ON "products"("sku");

-- CreateIndex
CREATE INDEX "products_newest_idx" ON "products"("create_time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "products_price_idx" ON "products"("price_minor", "id");

-- CreateIndex
CREATE INDEX "products_name_idx" ON "products"("name", "id");

-- CreateIndex
CREATE INDEX "products_category_idx" ON "products"("category");

-- CreateIndex
CREATE UNIQUE INDEX "stock_movements_request_id_key" ON "stock_movements"("request_id");

-- CreateIndex
CREATE INDEX "stock_movements_product_idx" ON "stock_movements"("product_id", "id" DESC);

-- CreateIndex
CREATE INDEX "reservations_sweep_idx" ON "reservations"("state", "expire_time");

-- AddForeignKey
ALTER TABLE "stock" ADD CONSTRAINT "stock_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "reservations"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- ---------------------------------------------------------------------------------------------------------
-- Hand-written below: what the Prisma schema language cannot express.
-- ---------------------------------------------------------------------------------------------------------

-- The invariants of stock hold in the database itself, whatever code runs against it.
ALTER TABLE "stock" ADD CONSTRAINT "stock_reserved_non_negative" CHECK ("reserved" >= 0);
ALTER TABLE "stock" ADD CONSTRAINT "stock_on_hand_covers_reserved" CHECK ("on_hand" >= "reserved");
ALTER TABLE "stock" ADD CONSTRAINT "stock_sold_non_negative" CHECK ("sold" >= 0);
ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_quantity_positive" CHECK ("quantity" > 0);
ALTER TABLE "products" ADD CONSTRAINT "products_price_non_negative" CHECK ("price_minor" >= 0);
ALTER TABLE "products" ADD CONSTRAINT "products_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$');

ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_product_id_fkey"
  FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT;
ALTER TABLE "reservation_items" ADD CONSTRAINT "reservation_items_product_id_fkey"
  FOREIGN KEY ("product_id") REFERENCES "products"("id") ON DELETE RESTRICT;

-- Full-text search over name (weight A) and description (weight B), maintained by PostgreSQL itself.
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, coalesce("name", '')), 'A') ||
  setweight(to_tsvector('english'::regconfig, coalesce("description", '')), 'B')
) STORED;
CREATE INDEX "products_search_idx" ON "products" USING GIN ("search_vector");
