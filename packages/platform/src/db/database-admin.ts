import { Client } from 'pg';

// SQLSTATEs the admin helpers react to.
const DUPLICATE_DATABASE = '42P04';

function pgCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

export function isPgError(error: unknown, code: string): boolean {
  return pgCode(error) === code;
}

/** One short-lived connection per call: admin work is rare and must not hold connections open. */
export async function withClient<T>(connectionUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: connectionUrl });
  // An idle admin connection killed by the server (e.g. at shutdown) must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

export interface CreateDatabaseOptions {
  /** Clone this database (CREATE DATABASE ... TEMPLATE); it must have no open connections. */
  template?: string;
}

/** Creates the database unless it exists; returns whether it was created. */
export async function ensureDatabase(adminUrl: string, name: string, options: CreateDatabaseOptions = {}): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 1) return false;
    const template = options.template ? ` TEMPLATE ${client.escapeIdentifier(options.template)}` : '';
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template}`);
      return true;
    } catch (error) {
      // Another process created it between the check and the create: the goal is reached.
      if (isPgError(error, DUPLICATE_DATABASE)) return false;
      throw error;
    }
  });
}

/** Drops the database, closing any connections still open to it (a test that forgot to disconnect). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}

/** True when a connection and a trivial query succeed. */
export async function pingDatabase(connectionUrl: string): Promise<boolean> {
  try {
    await withClient(connectionUrl, (client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}
