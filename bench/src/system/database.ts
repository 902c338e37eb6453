import { ensureDatabase, migrateDatabase, serviceDir, startEmbeddedPostgres, type EmbeddedPostgres } from '@shop/platform/src/db';
// On a hard exit the platform's own exit hook stops the server; only an orderly stop removes the data dir.
import { onCleanup } from '../cleanup';

export interface BenchDatabases {
  postgres: EmbeddedPostgres;
  urls: { user: string; product: string; order: string; payment: string };
}

const SERVICES = ['user', 'product', 'order', 'payment'] as const;

/**
 * A fresh embedded PostgreSQL in a temp data directory on a free port (no fsync: a throwaway cluster), one
 * database per service, each migrated by the service's own migrations. Stopping it removes the data directory.
 */
export async function startDatabases(log: (message: string) => void): Promise<BenchDatabases> {
  const postgres = await startEmbeddedPostgres();
  onCleanup('embedded PostgreSQL and its temp data dir', () => postgres.stop());
  log(`embedded PostgreSQL on port ${postgres.port}, data ${postgres.dataDir}`);
  const urls = {} as BenchDatabases['urls'];
  for (const service of SERVICES) {
    const name = `shop_${service}`;
    await ensureDatabase(postgres.adminUrl, name);
    urls[service] = postgres.urlFor(name);
  }
  // Sequential: each Prisma CLI run is CPU-bound and the machine has 2 cores.
  for (const service of SERVICES) {
    const result = await migrateDatabase(serviceDir(service), urls[service]);
    log(`${service}: migrations applied (${result.applied.join(', ') || 'none pending'})`);
  }
  return { postgres, urls };
}
