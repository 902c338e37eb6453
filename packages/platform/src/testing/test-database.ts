import { randomBytes } from 'node:crypto';
import { dropDatabase, isPgError, withClient } from '../db/database-admin';
import { databaseUrl } from '../db/database-url';
import { hasMigrations, serviceDir, type ServiceName } from '../db/services';
import { ADMIN_URL_ENV, EXTERNAL_URL_ENV, RUN_ID_ENV, templateName, testDatabasePrefix } from './environment';
import { ensureTemplate } from './templates';

export interface TestDatabase {
  /** Connection URL of a fresh, migrated database of the service, for this suite alone. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

// "source database is being accessed by other users": another worker is cloning the same template right now.
const OBJECT_IN_USE = '55006';
const MAX_ATTEMPTS = 40;

let counter = 0;

function adminUrl(): string {
  const url = process.env[ADMIN_URL_ENV] ?? process.env[EXTERNAL_URL_ENV];
  if (!url) {
    throw new Error(`No test database server: run the tests through the repo's jest config (its global setup starts PostgreSQL) or set ${EXTERNAL_URL_ENV}`);
  }
  return url;
}

function uniqueName(service: string): string {
  const runId = process.env[RUN_ID_ENV] ?? 'adhoc';
  counter += 1;
  // PostgreSQL truncates identifiers at 63 bytes; this stays far below.
  return `${testDatabasePrefix(runId)}${service}_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

async function cloneTemplate(server: string, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(server, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`));
      return;
    } catch (error) {
      if (!isPgError(error, OBJECT_IN_USE) || attempt >= MAX_ATTEMPTS) throw error;
      const backoffMs = Math.min(50 * attempt, 500) + Math.floor(Math.random() * 50);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}

/**
 * A new database of the service's current schema, cloned from the run's migrated template (fast), so that
 * every suite has its own data. Migrates the template on demand when global setup did not (a service whose
 * migrations appeared after the run started, or a run without the global setup).
 */
export function createTestDatabase(service: ServiceName): Promise<TestDatabase> {
  return createTestDatabaseFrom(service, serviceDir(service));
}

/** createTestDatabase for any folder with a prisma.config.ts and prisma/migrations (the harness's own tests use a scratch one). */
export async function createTestDatabaseFrom(service: string, dir: string): Promise<TestDatabase> {
  if (!hasMigrations(dir)) throw new Error(`${dir} has no prisma/migrations/*/migration.sql yet: nothing to create a test database from`);
  const server = adminUrl();
  await ensureTemplate(server, service, dir, { migrateExisting: false });
  const name = uniqueName(service);
  await cloneTemplate(server, name, templateName(service));
  let dropped: Promise<void> | undefined;
  return {
    url: databaseUrl(server, name),
    name,
    drop: () => (dropped ??= dropDatabase(server, name)),
  };
}
