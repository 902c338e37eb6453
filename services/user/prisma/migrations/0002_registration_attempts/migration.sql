-- CreateTable
CREATE TABLE "registration_attempts" (
    "id" BIGSERIAL NOT NULL,
    "client_address" VARCHAR(64) NOT NULL,
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "registration_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "registration_attempts_client_address_create_time_idx" ON "registration_attempts"("client_address", "create_time");

-- CreateIndex
CREATE INDEX "registration_attempts_create_time_idx" ON "registration_attempts"("create_time");
