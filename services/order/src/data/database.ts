import { PrismaPg } from '@prisma/adapter-pg';
import { createDatabasePool, type DatabasePoolOptions } from '@shop/platform';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/**
 * The order database: one `pg` pool (DATABASE_POOL_SIZE connections), shared by Prisma (schema owner, cold
 * listings) and the saga's raw SQL (every checkout write and the saga's reads). Prisma 6.19's interactive
 * transactions and query compilation cost the order service ~30 ms of CPU per checkout; the same writes as
 * single SQL statements cost a fraction of that (see README, "Data access").
 */
export interface OrderDatabase {
  prisma: PrismaClient;
  pool: Pool;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The pool's connect and statement timeouts bound every checkout step (see createDatabasePool). */
export function openOrderDatabase(options: DatabasePoolOptions): OrderDatabase {
  const pool = createDatabasePool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    prisma,
    pool,
    async ping() {
      await pool.query('SELECT 1');
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
