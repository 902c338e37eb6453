import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { createDatabasePool, type DatabasePoolOptions } from './pool';

/** A service's database: its generated Prisma client and the raw `pg` pool under it, which is the same one. */
export interface ServiceDatabase<Client> {
  prisma: Client;
  pool: Pool;
  /** Readiness: true when the database answers, false (never a throw) when it does not. */
  ping(): Promise<boolean>;
  /** Disconnects Prisma, then ends the pool; a second call waits for the first. */
  close(): Promise<void>;
}

/**
 * The one way a service opens its database: one pool (createDatabasePool: timeouts, logged idle errors) shared by
 * Prisma, which owns the schema and the cold paths, and the raw SQL of the hot paths, so both see one set of
 * connections and one pool size. `createClient` is the service's own generated client, e.g.
 * `(adapter) => new PrismaClient({ adapter })`.
 */
export function openServiceDatabase<Client extends { $disconnect(): Promise<void> }>(
  createClient: (adapter: PrismaPg) => Client,
  options: DatabasePoolOptions,
): ServiceDatabase<Client> {
  const pool = createDatabasePool(options);
  const prisma = createClient(new PrismaPg(pool));
  let closed: Promise<void> | undefined;
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
    // Prisma leaves a pool it was handed open, so closing ends both.
    close: () => (closed ??= (async () => {
      await prisma.$disconnect();
      await pool.end();
    })()),
  };
}
