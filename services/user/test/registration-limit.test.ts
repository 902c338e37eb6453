import { status } from '@grpc/grpc-js';
import { expectGrpcError } from './support/errors';
import { PASSWORD, queryDatabase, startHarness, startUserServiceForTest, uniqueEmail } from './support/harness';

jest.setTimeout(120_000);

describe('UserService registrations per client address', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest({ REGISTRATION_MAX_PER_ADDRESS: '3' });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const register = (clientAddress: string | undefined, email = uniqueEmail('reg'), password = PASSWORD) =>
    harness.client.call('register', { email, password, name: 'Rita', ...(clientAddress === undefined ? {} : { clientAddress }) });
  const attemptsOf = async (clientAddress: string) =>
    Number((await queryDatabase<{ n: string }>(harness.db.url, 'SELECT count(*) AS n FROM registration_attempts WHERE client_address = $1', [clientAddress]))[0]?.n);

  it('refuses the registration past the limit with TOO_MANY_ATTEMPTS and retry info, counting duplicates too', async () => {
    const address = '192.0.2.10';
    const email = uniqueEmail('dup');
    await register(address, email);
    // A duplicate email still cost a hash: it counts.
    await expectGrpcError(register(address, email), status.ALREADY_EXISTS);
    await register(address);
    const refused = await expectGrpcError(register(address), status.RESOURCE_EXHAUSTED);
    expect(refused.reason).toBe('TOO_MANY_ATTEMPTS');
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3600);
    // The refused one is not on record: it does not extend the wait.
    expect(await attemptsOf(address)).toBe(3);

    // Other addresses are not affected; a direct caller (no address) is not limited.
    expect((await register('192.0.2.11')).user?.email).toMatch(/^reg/);
    for (let i = 0; i < 4; i += 1) expect((await register(undefined)).user?.role).toBeDefined();
    expect((await register('')).user?.role).toBeDefined();
  });

  it('does not count requests refused by validation, which cost no hash', async () => {
    const address = '192.0.2.20';
    for (let i = 0; i < 4; i += 1) await expectGrpcError(register(address, uniqueEmail('short'), 'short'), status.INVALID_ARGUMENT);
    expect(await attemptsOf(address)).toBe(0);
    for (let i = 0; i < 3; i += 1) await register(address);
    await expectGrpcError(register(address), status.RESOURCE_EXHAUSTED);
  });

  it('counts a client by its limit key: an IPv6 /64 as one, an IPv4-mapped address as its IPv4 address', async () => {
    for (const host of ['2001:db8:5::1', '2001:db8:5::2', '2001:db8:5:0:ffff::3']) await register(host);
    await expectGrpcError(register('2001:db8:5::4'), status.RESOURCE_EXHAUSTED);
    expect(await attemptsOf('2001:db8:5:0::/64')).toBe(3);
    expect((await register('2001:db8:6::1')).user?.role).toBeDefined();

    await register('192.0.2.30');
    await register('::ffff:192.0.2.30');
    await register('192.0.2.30');
    await expectGrpcError(register('::ffff:192.0.2.30'), status.RESOURCE_EXHAUSTED);
  });

  it('lets exactly the limit through from a parallel burst', async () => {
    const address = '198.51.100.7';
    const results = await Promise.allSettled(Array.from({ length: 7 }, () => register(address, uniqueEmail('burst'))));
    const codes = results.map((result) => (result.status === 'rejected' ? (result.reason as { code: number }).code : status.OK));
    expect(codes.filter((code) => code === status.OK)).toHaveLength(3);
    expect(codes.filter((code) => code === status.RESOURCE_EXHAUSTED)).toHaveLength(4);
    expect(await attemptsOf(address)).toBe(3);
    const created = await queryDatabase<{ n: string }>(harness.db.url, "SELECT count(*) AS n FROM users WHERE email LIKE 'burst%'");
    expect(Number(created[0]?.n)).toBe(3);
  });

  it('lets the address register again once the window has passed (window shortened through configuration)', async () => {
    const short = await startHarness(harness.db.url, { REGISTRATION_WINDOW_SECONDS: '2', REGISTRATION_MAX_PER_ADDRESS: '1' });
    try {
      const address = '198.51.100.40';
      const attempt = () => short.client.call('register', { email: uniqueEmail('window'), password: PASSWORD, name: 'Wes', clientAddress: address });
      await attempt();
      const refused = await expectGrpcError(attempt(), status.RESOURCE_EXHAUSTED);
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);
      // Waiting is the behaviour under test here (the window passing), not a performance bound.
      await new Promise((resolve) => setTimeout(resolve, (refused.retryAfterSeconds ?? 2) * 1000 + 100));
      expect((await attempt()).user?.email).toMatch(/^window/);
      // Attempts older than the window were purged by the newest registration.
      expect(await attemptsOf(address)).toBe(1);
    } finally {
      await short.stop();
    }
  });
});
