import { status } from '@grpc/grpc-js';
import type { Pool } from 'pg';
import { createDatabasePool, databaseFailure, DEFAULT_IDLE_TIMEOUT_MS } from '../src/db/runtime';
import { DomainError } from '../src/errors/domain-error';
import { toServiceError } from '../src/errors/grpc-status';
import { ADMIN_URL_ENV } from '../src/testing/environment';
import { delay, memoryLogger } from './support';

const adminUrl = (): string => {
  const url = process.env[ADMIN_URL_ENV];
  if (!url) throw new Error('global setup did not run');
  return url;
};

const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => { throw new Error('expected the query to fail'); },
  (error: unknown) => error,
);

describe('createDatabasePool', () => {
  const pools: Pool[] = [];
  const open = (options: { max?: number; statementTimeoutMs?: number; connectionTimeoutMs?: number; idleTimeoutMs?: number } = {}) => {
    const log = memoryLogger('pool');
    const pool = createDatabasePool({ connectionString: adminUrl(), max: options.max ?? 2, logger: log.logger, ...options });
    pools.push(pool);
    return { pool, lines: log.lines };
  };
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  });

  it('sets the statement timeout on every connection, 15 s by default', async () => {
    const { pool } = open();
    const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('15s');
  });

  it('has the server cancel a statement that runs past the timeout, answered DEADLINE_EXCEEDED without internals', async () => {
    const { pool } = open({ statementTimeoutMs: 100 });
    const error = await failureOf(pool.query('SELECT pg_sleep(30)'));
    expect(error).toMatchObject({ code: '57014' });

    const mapped = databaseFailure(error);
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped).toMatchObject({ code: status.DEADLINE_EXCEEDED, reason: 'DATABASE_TIMEOUT' });
    const sent = toServiceError(error, 'shop.test');
    expect(sent.code).toBe(status.DEADLINE_EXCEEDED);
    expect(sent.details).not.toMatch(/pg_sleep|statement|cancel/i);
    // The connection is usable again: the timeout cut the statement, not the session.
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('gives up waiting for a connection after the connection timeout, answered UNAVAILABLE', async () => {
    const { pool } = open({ max: 1, connectionTimeoutMs: 100 });
    const held = await pool.connect();
    try {
      const error = await failureOf(pool.query('SELECT 1'));
      expect(databaseFailure(error)).toMatchObject({ code: status.UNAVAILABLE, reason: 'DATABASE_UNAVAILABLE' });
      expect(toServiceError(error, 'shop.test').code).toBe(status.UNAVAILABLE);
    } finally {
      held.release();
    }
  });

  it('keeps an unused connection for 5 minutes by default, not pg\'s 10 s', () => {
    const { pool } = open();
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(300_000);
    expect(pool.options.idleTimeoutMillis).toBe(DEFAULT_IDLE_TIMEOUT_MS);
  });

  it('closes a connection left unused for the idle timeout, and opens a new one when asked', async () => {
    const { pool } = open({ idleTimeoutMs: 50 });
    const first = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(pool.totalCount).toBe(1);
    for (let attempt = 0; attempt < 200 && pool.totalCount > 0; attempt++) await delay(10);
    expect(pool.totalCount).toBe(0);
    const second = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(second.rows[0]?.pid).not.toBe(first.rows[0]?.pid);
  });

  it('logs an idle connection the server ended at warn, and keeps serving', async () => {
    const { pool, lines } = open({ max: 1 });
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const other = open();
    await other.pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    for (let attempt = 0; attempt < 200 && !lines().some((line) => line.msg === 'idle database connection failed'); attempt++) await delay(25);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'idle database connection failed' }));
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('answers UNAVAILABLE when the server cannot be reached', async () => {
    const pool = createDatabasePool({ connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none', max: 1, logger: memoryLogger().logger });
    pools.push(pool);
    const error = await failureOf(pool.query('SELECT 1'));
    expect(databaseFailure(error)).toMatchObject({ code: status.UNAVAILABLE, reason: 'DATABASE_UNAVAILABLE' });
  });
});

describe('databaseFailure', () => {
  it('reads Prisma’s wrapper of a driver error (meta.driverAdapterError)', () => {
    const prismaError = Object.assign(new Error('Raw query failed. Code: `57014`.'), {
      code: 'P2010',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', originalCode: '57014', code: '57014' } } },
    });
    expect(databaseFailure(prismaError)).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    const unreachable = Object.assign(new Error('Can’t reach database server'), {
      code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } } },
    });
    expect(databaseFailure(unreachable)).toMatchObject({ code: status.UNAVAILABLE });
  });

  it('leaves request faults and bugs alone: they stay INTERNAL or the domain’s answer', () => {
    const uniqueViolation = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', severity: 'ERROR' });
    expect(databaseFailure(uniqueViolation)).toBeUndefined();
    expect(toServiceError(uniqueViolation, 'shop.test').code).toBe(status.INTERNAL);
    const protocolViolation = Object.assign(new Error('protocol violation'), { code: '08P01', severity: 'FATAL' });
    expect(databaseFailure(protocolViolation)).toBeUndefined();
    const connectionFailure = Object.assign(new Error('connection failure'), { code: '08006', severity: 'FATAL' });
    expect(databaseFailure(connectionFailure)).toMatchObject({ code: status.UNAVAILABLE });
    expect(databaseFailure(new TypeError('x is undefined'))).toBeUndefined();
    expect(databaseFailure(new DomainError(status.NOT_FOUND, 'gone'))).toBeUndefined();
  });
});
