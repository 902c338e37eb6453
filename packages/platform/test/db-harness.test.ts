import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { databaseExists, databaseUrl, dropDatabase, ensureDatabase, migrateDatabase, serviceDir, servicesWithMigrations, withClient } from '../src/db';
import { ADMIN_URL_ENV, createTestDatabase, createTestDatabaseFrom } from '../testing';

jest.setTimeout(120_000);

const REPO_NODE_MODULES = path.resolve(__dirname, '../../../node_modules');

/** A throwaway service folder, shaped like services/<svc>: prisma.config.ts, schema, migrations. */
function scratchService(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-scratch-svc-'));
  // prisma.config.ts imports prisma and the adapter: resolve them from the repo.
  fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(dir, 'prisma.config.ts'),
    `import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});
`,
  );
  fs.mkdirSync(path.join(dir, 'prisma', 'migrations'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'prisma', 'schema.prisma'),
    `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Widget {
  id   Int    @id @default(autoincrement())
  name String
}
`,
  );
  fs.writeFileSync(path.join(dir, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
  addMigration(dir, '0001_init', 'CREATE TABLE "Widget" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Widget_pkey" PRIMARY KEY ("id"));');
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, 'prisma', 'migrations', name));
  fs.writeFileSync(path.join(dir, 'prisma', 'migrations', name, 'migration.sql'), `${sql}\n`);
}

async function tables(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return result.rows.map((row) => row.table_name);
  });
}

async function appliedMigrationCount(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const result = await client.query<{ count: string }>('SELECT count(*) AS count FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    return Number(result.rows[0]?.count);
  });
}

const adminUrl = (): string => {
  const url = process.env[ADMIN_URL_ENV];
  if (!url) throw new Error('global setup did not run');
  return url;
};

describe('migrateDatabase', () => {
  let dir: string;
  let name: string;

  beforeAll(async () => {
    dir = scratchService();
    name = `scratch_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(adminUrl(), name);
  });

  afterAll(async () => {
    await dropDatabase(adminUrl(), name);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending migrations once; a second run is a no-op; a new migration is applied alone', async () => {
    const url = databaseUrl(adminUrl(), name);

    const first = await migrateDatabase(dir, url);
    expect(first.applied).toEqual(['0001_init']);
    expect(await tables(url)).toEqual(['Widget', '_prisma_migrations']);

    const second = await migrateDatabase(dir, url);
    expect(second.applied).toEqual([]);
    expect(second.output).toContain('No pending migrations to apply');
    expect(await appliedMigrationCount(url)).toBe(1);

    addMigration(dir, '0002_gadget', 'CREATE TABLE "Gadget" ("id" SERIAL PRIMARY KEY);');
    const third = await migrateDatabase(dir, url);
    expect(third.applied).toEqual(['0002_gadget']);
    expect(await tables(url)).toEqual(['Gadget', 'Widget', '_prisma_migrations']);
    expect(await appliedMigrationCount(url)).toBe(2);
  });

  it("throws with Prisma's output when a migration fails", async () => {
    const broken = scratchService();
    const brokenDb = `scratch_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(adminUrl(), brokenDb);
    try {
      addMigration(broken, '0002_broken', 'CREATE TABLE "Widget" ("id" SERIAL PRIMARY KEY);');
      await expect(migrateDatabase(broken, databaseUrl(adminUrl(), brokenDb))).rejects.toThrow(/0002_broken[\s\S]*already exists|already exists[\s\S]*0002_broken/);
    } finally {
      await dropDatabase(adminUrl(), brokenDb);
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('test databases', () => {
  let dir: string;
  let key: string;

  beforeAll(() => {
    dir = scratchService();
    key = `scratch_${randomBytes(4).toString('hex')}`;
  });

  afterAll(async () => {
    await dropDatabase(adminUrl(), `${key}_template`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are migrated clones of the template and isolated from each other', async () => {
    const a = await createTestDatabaseFrom(key, dir);
    const b = await createTestDatabaseFrom(key, dir);
    try {
      expect(a.url).not.toBe(b.url);
      expect(await tables(a.url)).toEqual(['Widget', '_prisma_migrations']);
      await withClient(a.url, (client) => client.query(`INSERT INTO "Widget" (name) VALUES ('only in a')`));
      const inB = await withClient(b.url, (client) => client.query('SELECT * FROM "Widget"'));
      expect(inB.rowCount).toBe(0);
      const inA = await withClient(a.url, (client) => client.query<{ name: string }>('SELECT name FROM "Widget"'));
      expect(inA.rows).toEqual([{ name: 'only in a' }]);
    } finally {
      await a.drop();
      await b.drop();
    }
    expect(await databaseExists(adminUrl(), a.name)).toBe(false);
  });

  it('can be created concurrently from one template', async () => {
    const databases = await Promise.all(Array.from({ length: 6 }, () => createTestDatabaseFrom(key, dir)));
    try {
      expect(new Set(databases.map((db) => db.name)).size).toBe(6);
      for (const db of databases) expect(await appliedMigrationCount(db.url)).toBe(1);
    } finally {
      await Promise.all(databases.map((db) => db.drop()));
    }
  });

  it("have every migrated service's tables", async () => {
    const services = servicesWithMigrations();
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      const migrations = fs
        .readdirSync(path.join(serviceDir(service), 'prisma', 'migrations'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory()).length;
      const db = await createTestDatabase(service);
      try {
        expect(await appliedMigrationCount(db.url)).toBe(migrations);
        expect((await tables(db.url)).filter((table) => table !== '_prisma_migrations').length).toBeGreaterThan(0);
      } finally {
        await db.drop();
      }
    }
  });
});
