import { status } from '@grpc/grpc-js';
import { hash } from '@node-rs/argon2';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { expectGrpcError } from './support/errors';
import { PASSWORD, queryDatabase, startUserServiceForTest, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

describe('UserService sign-up, sign-in and sessions', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest();
  });

  afterAll(async () => {
    await harness?.close();
  });

  const register = (email: string, password = PASSWORD, name = 'Ada Lovelace') =>
    harness.client.call('register', { email, password, name });
  const signIn = (email: string, password = PASSWORD, clientAddress = '203.0.113.10') =>
    harness.client.call('authenticate', { email, password, clientAddress });

  it('registers a customer with a normalised email and an argon2id hash carrying its parameters', async () => {
    const email = uniqueEmail('Mixed.Case');
    const { user } = await register(`  ${email.toUpperCase()}  `);
    expect(user).toMatchObject({ email: email.toLowerCase(), name: 'Ada Lovelace', role: 1 });
    expect(user?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user?.createTime).toBeInstanceOf(Date);

    const [row] = await queryDatabase<{ password_hash: string }>(harness.db.url, 'SELECT password_hash FROM users WHERE id = $1', [user?.id]);
    expect(row?.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(row?.password_hash).toContain('m=19456,t=2,p=1');
    expect(row?.password_hash).not.toContain(PASSWORD);
  });

  it('rejects a duplicate email in another case as ALREADY_EXISTS', async () => {
    const email = uniqueEmail('dup');
    await register(email);
    const error = await expectGrpcError(register(email.toUpperCase()), status.ALREADY_EXISTS);
    expect(error.reason).toBe('EMAIL_TAKEN');
  });

  it('accepts a long passphrase and rejects over 1 KiB, too short, a bad email and an empty name as INVALID_ARGUMENT', async () => {
    const passphrase = 'a long passphrase made of many plain words that is well over sixty-four characters long';
    await register(uniqueEmail('long'), passphrase);
    await signIn(await registered(passphrase), passphrase);

    const huge = await expectGrpcError(register(uniqueEmail('huge'), 'x'.repeat(1025)), status.INVALID_ARGUMENT);
    expect(huge.fieldViolations[0]?.field).toBe('password');
    // Counted in bytes: 342 three-byte characters are 1026 bytes.
    await expectGrpcError(register(uniqueEmail('utf8'), '€'.repeat(342)), status.INVALID_ARGUMENT);
    await expectGrpcError(register(uniqueEmail('short'), 'short'), status.INVALID_ARGUMENT);
    await expectGrpcError(register('not-an-email', PASSWORD), status.INVALID_ARGUMENT);
    await expectGrpcError(register(uniqueEmail('noname'), PASSWORD, '   '), status.INVALID_ARGUMENT);
    await expectGrpcError(signIn(uniqueEmail('hugelogin'), 'x'.repeat(2000)), status.INVALID_ARGUMENT);
  });

  async function registered(password = PASSWORD): Promise<string> {
    const email = uniqueEmail('acct');
    await register(email, password);
    return email;
  }

  it('signs in with a token pair: an EdDSA access token with kid and the expected claims, and an opaque refresh token', async () => {
    const email = await registered();
    const before = Math.floor(Date.now() / 1000);
    const response = await signIn(email.toUpperCase());
    const tokens = response.tokens!;
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.expiresInSeconds).toBe(900);
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header.alg).toBe('EdDSA');
    expect(typeof header.kid).toBe('string');
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ sub: response.user?.id, role: 'CUSTOMER', iss: 'shop-user-service-test', aud: 'shop-test' });
    expect(typeof claims.jti).toBe('string');
    expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
    expect(claims.exp! - claims.iat!).toBe(900);

    const me = await harness.client.call('getUser', { userId: '' }, tokens.accessToken);
    expect(me.user?.email).toBe(email);
  });

  it('renews a hash made under an older policy at the next successful sign-in', async () => {
    const email = await registered();
    const weak = await hash(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await queryDatabase(harness.db.url, 'UPDATE users SET password_hash = $1 WHERE email = $2', [weak, email]);
    await signIn(email);
    const [row] = await queryDatabase<{ password_hash: string }>(harness.db.url, 'SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(row?.password_hash).toContain('m=19456,t=2,p=1');
    await signIn(email);
  });

  it('answers an unknown email and a wrong password with the same UNAUTHENTICATED message', async () => {
    const email = await registered();
    const wrongPassword = await expectGrpcError(signIn(email, 'wrong password!'), status.UNAUTHENTICATED);
    const unknownEmail = await expectGrpcError(signIn(uniqueEmail('nobody')), status.UNAUTHENTICATED);
    expect(unknownEmail.message).toBe(wrongPassword.message);
    expect(unknownEmail.reason).toBe(wrongPassword.reason);
  });

  it('rotates refresh tokens: the new pair works and the old refresh token then fails', async () => {
    const email = await registered();
    const first = (await signIn(email)).tokens!;
    const second = (await harness.client.call('refreshToken', { refreshToken: first.refreshToken })).tokens!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    await harness.client.call('getUser', { userId: '' }, second.accessToken);

    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: first.refreshToken }), status.UNAUTHENTICATED);
  });

  it('revokes the whole family when a rotated refresh token is presented again', async () => {
    const email = await registered();
    const first = (await signIn(email)).tokens!;
    const second = (await harness.client.call('refreshToken', { refreshToken: first.refreshToken })).tokens!;

    // The thief replays the token the owner already exchanged...
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: first.refreshToken }), status.UNAUTHENTICATED);
    // ...and from then on the owner's current token is dead too.
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: second.refreshToken }), status.UNAUTHENTICATED);

    const families = await queryDatabase<{ revoke_reason: string | null }>(
      harness.db.url,
      'SELECT f.revoke_reason FROM refresh_token_families f JOIN users u ON u.id = f.user_id WHERE u.email = $1',
      [email],
    );
    expect(families).toEqual([{ revoke_reason: 'REUSE_DETECTED' }]);

    // Other sessions of the same account are separate families and survive.
    const other = (await signIn(email)).tokens!;
    await harness.client.call('refreshToken', { refreshToken: other.refreshToken });
  });

  it('lets only one of two concurrent exchanges of the same refresh token succeed', async () => {
    const email = await registered();
    const { refreshToken } = (await signIn(email)).tokens!;
    const results = await Promise.allSettled([
      harness.client.call('refreshToken', { refreshToken }),
      harness.client.call('refreshToken', { refreshToken }),
    ]);
    // The first exchange to commit wins; the other is either refused by the compare-and-set or sees a used token.
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('logs out by revoking the family; logout is idempotent and unknown tokens are no error', async () => {
    const email = await registered();
    const first = (await signIn(email)).tokens!;
    const second = (await harness.client.call('refreshToken', { refreshToken: first.refreshToken })).tokens!;
    await harness.client.call('logout', { refreshToken: second.refreshToken });
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: second.refreshToken }), status.UNAUTHENTICATED);
    await harness.client.call('logout', { refreshToken: second.refreshToken });
    await harness.client.call('logout', { refreshToken: 'never-issued' });
    await harness.client.call('logout', { refreshToken: '' });
  });

  it('rejects garbage refresh tokens as UNAUTHENTICATED', async () => {
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: '' }), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: 'x'.repeat(10_000) }), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('refreshToken', { refreshToken: 'not-a-token' }), status.UNAUTHENTICATED);
  });

  it('stores refresh tokens only as SHA-256 hashes and never returns a hash', async () => {
    const email = await registered();
    const response = await signIn(email);
    const rows = await queryDatabase<{ token_hash: Buffer }>(
      harness.db.url,
      `SELECT t.token_hash FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
       JOIN users u ON u.id = f.user_id WHERE u.email = $1`,
      [email],
    );
    expect(rows).toHaveLength(1);
    const stored = rows[0]!.token_hash;
    expect(stored.length).toBe(32);
    expect(stored.toString('base64url')).not.toBe(response.tokens?.refreshToken);

    const serialised = JSON.stringify(response) + JSON.stringify(await harness.client.call('getUser', { userId: '' }, response.tokens!.accessToken));
    expect(serialised).not.toContain('$argon2');
    expect(serialised).not.toContain(stored.toString('base64url'));
    expect(serialised).not.toContain(stored.toString('hex'));
    expect(harness.logText()).not.toContain(PASSWORD);
    expect(harness.logText()).not.toContain(response.tokens!.refreshToken);
  });
});
