import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
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

export function createPaymentDatabase(databaseUrl: string, poolSize = 10): PaymentDatabase {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
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
