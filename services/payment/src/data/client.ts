import { PrismaPg } from '@prisma/adapter-pg';
import { createDatabasePool, type DatabasePoolOptions } from '@shop/platform';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type PaymentPrisma = InstanceType<typeof PrismaClient>;

/**
 * One connection pool shared by Prisma (schema owner; cold reads such as ListPayments) and the raw `pg` statements
 * of the hot paths (authorize, capture, void, refund, get): each of those is one SQL statement per step, with no
 * interactive transaction, because Prisma's interactive transactions cost most of this service's CPU per checkout.
 */
export interface PaymentDatabase {
  prisma: PaymentPrisma;
  pool: Pool;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The pool's connect and statement timeouts bound every step (see createDatabasePool). */
export function createPaymentDatabase(options: DatabasePoolOptions): PaymentDatabase {
  const pool = createDatabasePool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed: Promise<void> | undefined;
  return {
    prisma,
    pool,
    async ping() {
      await pool.query('SELECT 1');
      return true;
    },
    close: () => (closed ??= (async () => {
      await prisma.$disconnect();
      await pool.end();
    })()),
  };
}
