import { databaseExists, dropDatabase, ensureDatabase, withClient } from '../db/database-admin';
import { databaseUrl } from '../db/database-url';
import { migrateDatabase } from '../db/migrate';
import { templateName } from './environment';

/**
 * Creates (if missing) and migrates `<svc>_template`, the database every test database of that service is
 * cloned from. A session advisory lock serialises workers that reach a missing template at the same time.
 */
export async function ensureTemplate(adminUrl: string, service: string, dir: string, options: { migrateExisting: boolean }): Promise<void> {
  const name = templateName(service);
  await withClient(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      const exists = await databaseExists(adminUrl, name);
      if (exists && !options.migrateExisting) return;
      if (!exists) await ensureDatabase(adminUrl, name);
      try {
        await migrateDatabase(dir, databaseUrl(adminUrl, name));
      } catch (error) {
        // A half-migrated template must not be cloned; the next caller tries again (and reports the error).
        await dropDatabase(adminUrl, name);
        throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}
