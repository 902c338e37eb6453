import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { Client } from 'pg';
import { loadUserConfig } from '../../src/config';
import { startUserService, type RunningUserService } from '../../src/service';
import { createUserClient, type UserClient } from './user-client';

export const TEST_ISSUER = 'shop-user-service-test';
export const TEST_AUDIENCE = 'shop-test';

/** A real logger that keeps its lines, so tests can check what was (not) logged. */
export function memoryLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger({ service: 'user', level: 'debug', destination }), text: () => chunks.join('') };
}

export interface RunningHarness {
  service: RunningUserService;
  client: UserClient;
  logText: () => string;
  stop(): Promise<void>;
}

/** Starts the real service on an ephemeral port against `databaseUrl`, with a real grpc-js client. */
export async function startHarness(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningHarness> {
  const config = loadUserConfig({
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    SHUTDOWN_GRACE_MS: '2000',
    ...env,
  });
  const { logger, text } = memoryLogger();
  const service = await startUserService(config, { logger });
  const client = createUserClient(service.port);
  return {
    service,
    client,
    logText: text,
    async stop() {
      client.close();
      await service.shutdown();
    },
  };
}

/** A fresh database plus a running service on it; `close` stops the service and drops the database. */
export async function startUserServiceForTest(env: Record<string, string> = {}): Promise<RunningHarness & { db: TestDatabase; close(): Promise<void> }> {
  const db = await createTestDatabase('user');
  try {
    const harness = await startHarness(db.url, env);
    return {
      ...harness,
      db,
      async close() {
        await harness.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** Reads the database directly, to check what the service stored (e.g. that only hashes are kept). */
export async function queryDatabase<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

let sequence = 0;
/** Unique per test so that tests never depend on each other's accounts. */
export function uniqueEmail(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}.${process.pid}.${Date.now()}.${sequence}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';
