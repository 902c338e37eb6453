import { createLogger } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { createRefreshTokenRepository } from '../src/data/refresh-token-repository';
import { createRegistrationAttemptRepository } from '../src/data/registration-attempt-repository';
import { createSignInFailureRepository } from '../src/data/sign-in-failure-repository';
import { createUserRepository } from '../src/data/user-repository';
import { openUserDatabase, type UserDatabaseConnection } from '../src/data/prisma-client';
import { AuthService } from '../src/domain/auth-service';
import type { PasswordHasher } from '../src/domain/ports';
import { createArgon2Hasher } from '../src/security/password-hasher';
import { refreshTokenMinter } from '../src/security/refresh-token-minter';
import { PASSWORD, queryDatabase, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

// The domain service on the real repositories, with a hasher that can be made to fail: our own failure must not
// use up the caller's registrations.
describe('AuthService.register when the registration fails on our side', () => {
  let db: TestDatabase;
  let connection: UserDatabaseConnection;
  let failHashing = false;
  let auth: AuthService;

  beforeAll(async () => {
    db = await createTestDatabase('user');
    connection = openUserDatabase({ connectionString: db.url, max: 2, logger: createLogger({ service: 'user-test', level: 'silent' }) });
    const real = await createArgon2Hasher();
    const hasher: PasswordHasher = {
      ...real,
      hash: (password) => (failHashing ? Promise.reject(new Error('hashing failed')) : real.hash(password)),
    };
    const prisma = connection.prisma;
    auth = new AuthService({
      users: createUserRepository(prisma),
      refreshTokens: createRefreshTokenRepository(prisma),
      failures: createSignInFailureRepository(prisma),
      hasher,
      accessTokens: { issue: () => Promise.reject(new Error('not issued when registering')) },
      refreshMinter: refreshTokenMinter,
      throttle: { windowSeconds: 900, maxFailuresPerAccount: 5, maxFailuresPerAddress: 20 },
      registrations: createRegistrationAttemptRepository(prisma),
      registrationLimit: { windowSeconds: 3600, maxPerAddress: 1 },
      refreshTokenTtlSeconds: 3600,
    });
  });

  afterAll(async () => {
    await connection?.close();
    await db?.drop();
  });

  it('releases the attempt, so the address still has its registration', async () => {
    const address = '192.0.2.77';
    failHashing = true;
    await expect(auth.register({ email: uniqueEmail('release'), password: PASSWORD, name: 'Rae', clientAddress: address })).rejects.toThrow('hashing failed');
    const rows = await queryDatabase<{ n: string }>(db.url, 'SELECT count(*) AS n FROM registration_attempts WHERE client_address = $1', [address]);
    expect(Number(rows[0]?.n)).toBe(0);

    failHashing = false;
    const created = await auth.register({ email: uniqueEmail('release'), password: PASSWORD, name: 'Rae', clientAddress: address });
    expect(created.name).toBe('Rae');
    await expect(auth.register({ email: uniqueEmail('release'), password: PASSWORD, name: 'Rae', clientAddress: address })).rejects.toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });
  });
});
