import { status } from '@grpc/grpc-js';
import { expectGrpcError } from './support/errors';
import { PASSWORD, queryDatabase, startHarness, startUserServiceForTest, uniqueEmail } from './support/harness';

jest.setTimeout(120_000);

describe('UserService sign-in throttling', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest();
  });

  afterAll(async () => {
    await harness?.close();
  });

  const signIn = (email: string, password: string, clientAddress: string) =>
    harness.client.call('authenticate', { email, password, clientAddress });

  async function registered(): Promise<string> {
    const email = uniqueEmail('throttle');
    await harness.client.call('register', { email, password: PASSWORD, name: 'Theo' });
    return email;
  }

  it('blocks an account after 5 failures within 15 minutes, even with the right password, with retry info', async () => {
    const email = await registered();
    for (let i = 0; i < 5; i++) {
      // Different addresses each time: the account limit alone must trigger.
      await expectGrpcError(signIn(email, `wrong password ${i}`, `192.0.2.${i + 1}`), status.UNAUTHENTICATED);
    }
    const blocked = await expectGrpcError(signIn(email, PASSWORD, '192.0.2.99'), status.RESOURCE_EXHAUSTED);
    expect(blocked.reason).toBe('TOO_MANY_ATTEMPTS');
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    // The email's spelling does not matter.
    await expectGrpcError(signIn(`  ${email.toUpperCase()}`, PASSWORD, '192.0.2.100'), status.RESOURCE_EXHAUSTED);
  });

  it('does not let a burst of parallel guesses past the limit', async () => {
    const email = await registered();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => signIn(email, `parallel guess ${i}`, `203.0.113.${i + 1}`)),
    );
    const codes = results.map((result) => (result.status === 'rejected' ? (result.reason as { code: number }).code : status.OK));
    expect(codes.filter((code) => code === status.OK)).toHaveLength(0);
    // Exactly the limit's worth of guesses had their password checked; the rest were refused unchecked.
    expect(codes.filter((code) => code === status.UNAUTHENTICATED)).toHaveLength(5);
    expect(codes.filter((code) => code === status.RESOURCE_EXHAUSTED)).toHaveLength(7);
    // Refused attempts are not failures: exactly the checked ones are on record.
    const rows = await queryDatabase<{ n: string }>(harness.db.url, 'SELECT count(*) AS n FROM sign_in_failures WHERE account_key = $1', [email]);
    expect(Number(rows[0]?.n)).toBe(codes.filter((code) => code === status.UNAUTHENTICATED).length);
  });

  it('throttles unknown emails exactly like real accounts', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 5; i++) await expectGrpcError(signIn(email, 'whatever-password', `192.0.2.${i + 1}`), status.UNAUTHENTICATED);
    const blocked = await expectGrpcError(signIn(email, 'whatever-password', '192.0.2.9'), status.RESOURCE_EXHAUSTED);
    expect(blocked.reason).toBe('TOO_MANY_ATTEMPTS');
  });

  it('blocks a client address after 20 failures across accounts, and leaves other addresses alone', async () => {
    const address = '2001:db8::42';
    for (let i = 0; i < 20; i++) {
      await expectGrpcError(signIn(uniqueEmail('spray'), 'password-spraying', address), status.UNAUTHENTICATED);
    }
    const victim = await registered();
    const blocked = await expectGrpcError(signIn(victim, PASSWORD, address), status.RESOURCE_EXHAUSTED);
    expect(blocked.reason).toBe('TOO_MANY_ATTEMPTS');
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);

    // Another host of the same /64 is the same client (one site holds the whole prefix).
    await expectGrpcError(signIn(victim, PASSWORD, '2001:db8::43'), status.RESOURCE_EXHAUSTED);
    const elsewhere = await signIn(victim, PASSWORD, '2001:db8:0:1::43');
    expect(elsewhere.tokens?.accessToken).toBeTruthy();
  });

  it('forgives an account its failures after a successful sign-in', async () => {
    const email = await registered();
    for (let i = 0; i < 4; i++) await expectGrpcError(signIn(email, 'wrong password', '198.51.100.1'), status.UNAUTHENTICATED);
    await signIn(email, PASSWORD, '198.51.100.1');
    for (let i = 0; i < 4; i++) await expectGrpcError(signIn(email, 'wrong password', '198.51.100.1'), status.UNAUTHENTICATED);
    const response = await signIn(email, PASSWORD, '198.51.100.1');
    expect(response.user?.email).toBe(email);
  });

  it('keeps counts in the database, so another replica on the same database enforces them too', async () => {
    const email = await registered();
    for (let i = 0; i < 5; i++) await expectGrpcError(signIn(email, 'wrong password', '198.51.100.20'), status.UNAUTHENTICATED);
    const rows = await queryDatabase<{ n: string }>(harness.db.url, 'SELECT count(*) AS n FROM sign_in_failures WHERE account_key = $1', [email]);
    expect(Number(rows[0]?.n)).toBe(5);

    const replica = await startHarness(harness.db.url);
    try {
      const blocked = await expectGrpcError(
        replica.client.call('authenticate', { email, password: PASSWORD, clientAddress: '198.51.100.21' }),
        status.RESOURCE_EXHAUSTED,
      );
      expect(blocked.reason).toBe('TOO_MANY_ATTEMPTS');
    } finally {
      await replica.stop();
    }
  });

  it('answers once the window has passed (limits shortened through configuration)', async () => {
    const email = uniqueEmail('window');
    const short = await startHarness(harness.db.url, { SIGN_IN_WINDOW_SECONDS: '2', SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '2' });
    try {
      await short.client.call('register', { email, password: PASSWORD, name: 'Wendy' });
      const attempt = (password: string) => short.client.call('authenticate', { email, password, clientAddress: '198.51.100.30' });
      await expectGrpcError(attempt('wrong password'), status.UNAUTHENTICATED);
      await expectGrpcError(attempt('wrong password'), status.UNAUTHENTICATED);
      const blocked = await expectGrpcError(attempt(PASSWORD), status.RESOURCE_EXHAUSTED);
      expect(blocked.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(2);
      // Waiting is the behaviour under test here (the window passing), not a performance bound.
      await new Promise((resolve) => setTimeout(resolve, (blocked.retryAfterSeconds ?? 2) * 1000 + 100));
      expect((await attempt(PASSWORD)).user?.email).toBe(email);
    } finally {
      await short.stop();
    }
  });
});
