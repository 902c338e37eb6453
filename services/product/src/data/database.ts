import { PrismaPg } from '@prisma/adapter-pg';
import { createDatabasePool, type DatabasePoolOptions } from '@shop/platform';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { POOL_TYPES } from './pg-types';

/**
 * One connection pool shared by Prisma (product create/update/archive) and raw `pg` (the hot paths: product reads
 * and search, one statement each; reservations, one statement per step; stock adjustments), with no ORM overhead
 * where it is measured to matter.
 */
export interface Database {
  prisma: PrismaClient;
  pool: Pool;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function openDatabase(options: Omit<DatabasePoolOptions, 'types'>): Database {
  const pool = createDatabasePool({ ...options, types: POOL_TYPES });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    prisma,
    pool,
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
