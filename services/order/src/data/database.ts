import { openServiceDatabase, type DatabasePoolOptions, type ServiceDatabase } from '@shop/platform';
import { PrismaClient } from '../generated/prisma/client';

/**
 * The order database: one `pg` pool (DATABASE_POOL_SIZE connections), shared by Prisma (schema owner, cold
 * listings) and the saga's raw SQL (every checkout write and the saga's reads). Prisma 6.19's interactive
 * transactions and query compilation cost the order service ~30 ms of CPU per checkout; the same writes as
 * single SQL statements cost a fraction of that (see README, "Data access").
 */
export type OrderDatabase = ServiceDatabase<PrismaClient>;

/** The pool's connect and statement timeouts bound every checkout step (see createDatabasePool). */
export function openOrderDatabase(options: DatabasePoolOptions): OrderDatabase {
  return openServiceDatabase((adapter) => new PrismaClient({ adapter }), options);
}
