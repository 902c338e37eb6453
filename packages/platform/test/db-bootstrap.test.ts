import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootstrapDatabases, databaseName, servicesWithMigrations, withClient } from '../src/db';
import { createTestDatabase } from '../testing';

jest.setTimeout(180_000);

async function migrationCount(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ count: string }>('SELECT count(*) AS count FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    return Number(result.rows[0]?.count);
  });
}

describe('bootstrapDatabases (what npm start, e2e tests and the benchmark run first)', () => {
  let root: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-bootstrap-test-'));
    // The embedded server may run as the `postgres` user: it must be able to create its data dir here.
    fs.chmodSync(root, 0o777);
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('migrates one database per service in a persistent embedded server, reuses it on restart, and honours <SVC>_DATABASE_URL', async () => {
    const [embedded, external] = servicesWithMigrations();
    if (!embedded || !external) throw new Error('this test needs two services with migrations');
    const given = await createTestDatabase(external);
    const env = { SHOP_DATA_DIR: root, SHOP_PG_PORT: '0', [`${external.toUpperCase()}_DATABASE_URL`]: given.url };
    try {
      const first = await bootstrapDatabases({ env, services: [embedded, external] });
      try {
        expect(first.postgres).toBeDefined();
        expect(first.databases[embedded].source).toBe('embedded');
        expect(databaseName(first.databases[embedded].url)).toBe(`shop_${embedded}`);
        expect(first.databases[embedded].migration?.applied.length).toBeGreaterThan(0);
        expect(first.databases[external]).toMatchObject({ source: 'external', url: given.url });
        // The given database came migrated from its template: nothing left to apply.
        expect(first.databases[external].migration?.applied).toEqual([]);
        await withClient(first.databases[embedded].url, (client) => client.query('CREATE TABLE dev_data_marker (id int)'));
      } finally {
        await first.stop();
      }

      const second = await bootstrapDatabases({ env, services: [embedded] });
      try {
        expect(second.databases[embedded].migration?.applied).toEqual([]);
        const marker = await withClient(second.databases[embedded].url, (client) => client.query("SELECT to_regclass('dev_data_marker') AS t"));
        expect(marker.rows[0]).toEqual({ t: 'dev_data_marker' });
        expect(await migrationCount(second.databases[embedded].url)).toBeGreaterThan(0);
      } finally {
        await second.stop();
      }

      const reset = await bootstrapDatabases({ env: { ...env, SHOP_RESET_DATA: 'true' }, services: [embedded] });
      try {
        const marker = await withClient(reset.databases[embedded].url, (client) => client.query("SELECT to_regclass('dev_data_marker') AS t"));
        expect(marker.rows[0]).toEqual({ t: null });
        expect(reset.databases[embedded].migration?.applied.length).toBeGreaterThan(0);
      } finally {
        await reset.stop();
      }
    } finally {
      await given.drop();
    }
  });
});
