import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

/**
 * One connection pool shared by Prisma (writes, transactions) and the raw `pg` read path (GetProduct and
 * ListProducts are the hot paths: one SQL statement each, no ORM overhead).
 */
export interface Database {
  prisma: PrismaClient;
  pool: Pool;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function openDatabase(connectionString: string, poolSize = 10): Database {
  const pool = new Pool({ connectionString, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
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
