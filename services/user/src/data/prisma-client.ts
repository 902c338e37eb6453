import { PrismaPg } from '@prisma/adapter-pg';
import { createDatabasePool, type DatabasePoolOptions } from '@shop/platform';
import type { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type UserDatabase = PrismaClient;

/** The user database: Prisma over the platform's one kind of `pg` pool, which this owner closes. */
export interface UserDatabaseConnection {
  prisma: UserDatabase;
  pool: Pool;
  close(): Promise<void>;
}

/** The pool's connect and statement timeouts bound every query (see createDatabasePool). */
export function openUserDatabase(options: DatabasePoolOptions): UserDatabaseConnection {
  const pool = createDatabasePool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed: Promise<void> | undefined;
  return {
    prisma,
    pool,
    // Prisma leaves a pool it was handed open, so closing ends both; a second call waits for the first.
    close: () => (closed ??= (async () => {
      await prisma.$disconnect();
      await pool.end();
    })()),
  };
}

/** Readiness probe: true when the database answers. */
export async function pingDatabase(db: UserDatabase): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
