import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { expectGrpcError } from './support/errors';
import { PASSWORD, startUserServiceForTest, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

/** The pool comes from the platform's factory with the config's timeouts: a stuck database bounds a call. */
describe('UserService over a stuck database', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('answers DEADLINE_EXCEEDED DATABASE_TIMEOUT when a statement waits past the timeout, then serves again', async () => {
    const email = uniqueEmail('stuck');
    await harness.client.call('register', { email, password: PASSWORD, name: 'Stella' });
    const signIn = () => harness.client.call('authenticate', { email, password: PASSWORD, clientAddress: '192.0.2.7' });

    // Another session holds the users table: the service's read waits on the lock until the server cancels it.
    const locker = new Client({ connectionString: harness.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const error = await expectGrpcError(signIn(), status.DEADLINE_EXCEEDED);
      expect(error.reason).toBe('DATABASE_TIMEOUT');
      expect(error.message).not.toMatch(/statement|cancel|users/i);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    await expect(signIn()).resolves.toMatchObject({ tokens: { accessToken: expect.any(String) } });
  });
});
