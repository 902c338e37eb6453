import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { serviceDir, servicesWithMigrations } from '../db/services';
import { ADMIN_URL_ENV, EXTERNAL_URL_ENV, RUN_ID_ENV } from './environment';
import { ensureTemplate } from './templates';

// Global setup and teardown run in the same jest process; this is how the server reaches teardown.
export interface TestRunState {
  postgres?: EmbeddedPostgres;
  adminUrl: string;
  runId: string;
}
const STATE_KEY = '__shopTestRun';

export function testRunState(): TestRunState | undefined {
  return (globalThis as Record<string, unknown>)[STATE_KEY] as TestRunState | undefined;
}

/**
 * Jest global setup: one PostgreSQL for the whole run (or the server of TEST_DATABASE_URL), and one migrated
 * template database per service with migrations. Workers start after this and inherit process.env.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env[EXTERNAL_URL_ENV];
  const postgres = external ? undefined : await startEmbeddedPostgres({ port: 0, persistent: false });
  const adminUrl = external ?? postgres?.adminUrl ?? '';
  const runId = randomBytes(4).toString('hex');
  // On an external server a template may survive from an earlier run: migrate it to the current schema.
  // A service whose migrations fail must not fail every other suite: its own suites retry and report the error.
  const pending = servicesWithMigrations();
  // Two at a time: each Prisma CLI run is mostly CPU, and CI machines may have only 2 cores.
  const worker = async (): Promise<void> => {
    for (let service = pending.shift(); service; service = pending.shift()) {
      try {
        await ensureTemplate(adminUrl, service, serviceDir(service), { migrateExisting: true });
      } catch (error) {
        const firstLine = error instanceof Error ? error.message.split('\n')[0] : String(error);
        console.error(`[test setup] ${service}: migrating the template failed; its suites will report it. ${firstLine}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  process.env[ADMIN_URL_ENV] = adminUrl;
  process.env[RUN_ID_ENV] = runId;
  (globalThis as Record<string, unknown>)[STATE_KEY] = { postgres, adminUrl, runId } satisfies TestRunState;
}
