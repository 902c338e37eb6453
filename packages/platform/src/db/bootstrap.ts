import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { migrateDatabase, type MigrationResult } from './migrate';
import { hasMigrations, REPO_ROOT, SERVICE_NAMES, serviceDir, type ServiceName } from './services';

export interface BootstrapOptions {
  /** Reads `<SVC>_DATABASE_URL`, `SHOP_DATA_DIR`, `SHOP_PG_PORT` from here. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  services?: readonly ServiceName[];
  repoRoot?: string;
  log?: (message: string) => void;
  /**
   * Drop and recreate the embedded databases first (never an external `<SVC>_DATABASE_URL`): for dev data whose
   * migrations were edited in place or failed half-way. Default: env SHOP_RESET_DATA=true.
   */
  reset?: boolean;
}

export interface ServiceDatabase {
  service: ServiceName;
  url: string;
  /** 'embedded' when this run's embedded PostgreSQL serves it, 'external' when `<SVC>_DATABASE_URL` was given. */
  source: 'embedded' | 'external';
  /** Undefined when the service has no migrations yet. */
  migration?: MigrationResult;
}

export interface BootstrappedDatabases {
  databases: Record<ServiceName, ServiceDatabase>;
  /** Present when an embedded PostgreSQL was started; stop() stops it. */
  postgres?: EmbeddedPostgres;
  stop(): Promise<void>;
}

export const DEFAULT_PG_PORT = 54329;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.SHOP_DATA_DIR ?? path.join(os.tmpdir(), 'shop-data'));
}

/**
 * What `npm start`, the e2e tests and the benchmark need before services can run: one database per service,
 * migrated. A service with `<SVC>_DATABASE_URL` uses that database; the others share one embedded PostgreSQL
 * with persistent data in `<SHOP_DATA_DIR>/postgres` (databases shop_<svc>).
 */
export async function bootstrapDatabases(options: BootstrapOptions = {}): Promise<BootstrappedDatabases> {
  const env = options.env ?? process.env;
  const services = options.services ?? SERVICE_NAMES;
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const log = options.log ?? (() => undefined);
  const reset = options.reset ?? env.SHOP_RESET_DATA === 'true';

  const needsEmbedded = services.some((service) => !env[`${service.toUpperCase()}_DATABASE_URL`]);
  let postgres: EmbeddedPostgres | undefined;
  if (needsEmbedded) {
    const dataDir = path.join(defaultDataDir(env), 'postgres');
    const port = env.SHOP_PG_PORT ? Number(env.SHOP_PG_PORT) : DEFAULT_PG_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SHOP_PG_PORT must be a port number, got "${env.SHOP_PG_PORT}"`);
    log(`starting embedded PostgreSQL (data ${dataDir}, port ${port})`);
    postgres = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  }

  try {
    const databases = {} as Record<ServiceName, ServiceDatabase>;
    for (const service of services) {
      const external = env[`${service.toUpperCase()}_DATABASE_URL`];
      let url: string;
      if (external) {
        url = external;
      } else if (postgres) {
        if (reset) {
          log(`${service}: dropping shop_${service} (reset)`);
          await postgres.dropDatabase(`shop_${service}`);
        }
        await postgres.ensureDatabase(`shop_${service}`);
        url = postgres.urlFor(`shop_${service}`);
      } else {
        throw new Error('unreachable: no embedded PostgreSQL for a service without a database URL');
      }
      databases[service] = { service, url, source: external ? 'external' : 'embedded' };
    }
    // Sequential on purpose: each Prisma CLI run is CPU-bound and the machine may have only 2 cores.
    for (const service of services) {
      const dir = serviceDir(service, repoRoot);
      if (!hasMigrations(dir)) {
        log(`${service}: no prisma/migrations yet, skipping migration`);
        continue;
      }
      const migration = await migrateDatabase(dir, databases[service].url);
      log(`${service}: ${migration.applied.length ? `applied ${migration.applied.join(', ')}` : 'schema up to date'}`);
      databases[service].migration = migration;
    }
    return { databases, postgres, stop: async () => postgres?.stop() };
  } catch (error) {
    await postgres?.stop();
    throw error;
  }
}
