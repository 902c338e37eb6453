import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, withClient } from '../src/db';

jest.setTimeout(120_000);

describe('startEmbeddedPostgres', () => {
  let root: string;

  beforeAll(() => {
    // The server runs as the `postgres` user when we are root: it must be able to write here.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-pg-test-'));
    fs.chmodSync(root, 0o777);
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reuses an initialised persistent data directory, keeping its data across restarts', async () => {
    const dataDir = path.join(root, 'persistent');
    const first = await startEmbeddedPostgres({ dataDir, port: 0, persistent: true });
    try {
      expect(await first.ensureDatabase('keep')).toBe(true);
      expect(await first.ensureDatabase('keep')).toBe(false);
      await withClient(first.urlFor('keep'), (client) => client.query("CREATE TABLE note (text text); INSERT INTO note VALUES ('kept')"));
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir, port: 0, persistent: true });
    try {
      const rows = await withClient(second.urlFor('keep'), (client) => client.query<{ text: string }>('SELECT text FROM note'));
      expect(rows.rows).toEqual([{ text: 'kept' }]);
      await second.dropDatabase('keep');
      await expect(withClient(second.urlFor('keep'), (client) => client.query('SELECT 1'))).rejects.toThrow(/does not exist/);
    } finally {
      await second.stop();
    }
  });

  it('removes a non-persistent data directory on stop and stops accepting connections', async () => {
    const server = await startEmbeddedPostgres({ port: 0 });
    expect(server.port).toBeGreaterThan(0);
    expect(fs.existsSync(server.dataDir)).toBe(true);
    await server.stop();
    expect(fs.existsSync(server.dataDir)).toBe(false);
    await expect(withClient(server.adminUrl, (client) => client.query('SELECT 1'))).rejects.toThrow();
  });
});
