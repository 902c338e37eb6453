import { withClient } from '../db/database-admin';
import { testDatabasePrefix } from './environment';
import { testRunState } from './global-setup';

/** Drops what this run created on an external server; stops the run's own server (which removes its files). */
export default async function globalTeardown(): Promise<void> {
  const state = testRunState();
  if (!state) return;
  if (state.postgres) {
    await state.postgres.stop();
    return;
  }
  await withClient(state.adminUrl, async (client) => {
    const leftovers = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      testDatabasePrefix(state.runId),
    ]);
    for (const { datname } of leftovers.rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
}
