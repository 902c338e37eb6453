import { status } from '@grpc/grpc-js';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { expectGrpcError } from './support/errors';
import { PASSWORD, queryDatabase, startHarness, uniqueEmail } from './support/harness';

jest.setTimeout(120_000);

describe('UserService signing keys', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase('user');
  });

  afterEach(async () => {
    await db?.drop();
  });

  it('generates a key at first start, keeps it in the database and still accepts earlier tokens after a restart', async () => {
    const first = await startHarness(db.url);
    const email = uniqueEmail('restart');
    let tokens;
    let jwksBefore;
    try {
      await first.client.call('register', { email, password: PASSWORD, name: 'Resa' });
      tokens = (await first.client.call('authenticate', { email, password: PASSWORD, clientAddress: '' })).tokens!;
      jwksBefore = await first.client.call('getJwks', {});
    } finally {
      await first.stop();
    }
    const stored = await queryDatabase<{ kid: string }>(db.url, 'SELECT kid FROM signing_keys');
    expect(stored).toHaveLength(1);
    expect(decodeProtectedHeader(tokens.accessToken).kid).toBe(stored[0]?.kid);

    const second = await startHarness(db.url);
    try {
      expect(await second.client.call('getJwks', {})).toEqual(jwksBefore);
      const me = await second.client.call('getUser', { userId: '' }, tokens.accessToken);
      expect(me.user?.email).toBe(email);
      await second.client.call('refreshToken', { refreshToken: tokens.refreshToken });
    } finally {
      await second.stop();
    }
    expect(await queryDatabase(db.url, 'SELECT kid FROM signing_keys')).toHaveLength(1);
  });

  it('agrees on one key when two replicas start together on an empty database', async () => {
    const [a, b] = await Promise.all([startHarness(db.url), startHarness(db.url)]);
    try {
      const [jwksA, jwksB] = await Promise.all([a.client.call('getJwks', {}), b.client.call('getJwks', {})]);
      expect(jwksA.keys).toHaveLength(1);
      expect(jwksB).toEqual(jwksA);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('uses a configured PEM key instead of generating one, and refuses tokens of the previous key', async () => {
    const generated = await startHarness(db.url);
    const email = uniqueEmail('pem');
    let oldToken;
    try {
      await generated.client.call('register', { email, password: PASSWORD, name: 'Pem' });
      oldToken = (await generated.client.call('authenticate', { email, password: PASSWORD, clientAddress: '' })).tokens!.accessToken;
    } finally {
      await generated.stop();
    }

    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const configured = await startHarness(db.url, { JWT_PRIVATE_KEY_PEM: (await exportPKCS8(pair.privateKey)).replace(/\n/g, '\\n') });
    try {
      const { keys } = await configured.client.call('getJwks', {});
      expect(keys).toHaveLength(1);
      expect(keys[0]?.x).toBe((await exportJWK(pair.publicKey)).x);
      const { tokens } = await configured.client.call('authenticate', { email, password: PASSWORD, clientAddress: '' });
      expect(decodeProtectedHeader(tokens!.accessToken).kid).toBe(keys[0]?.kid);
      await configured.client.call('getUser', { userId: '' }, tokens!.accessToken);
      await expectGrpcError(configured.client.call('getUser', { userId: '' }, oldToken), status.UNAUTHENTICATED);
    } finally {
      await configured.stop();
    }
  });

  it('refuses to start with a key that is not an Ed25519 private key', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await expect(startHarness(db.url, { JWT_PRIVATE_KEY_JWK: JSON.stringify(await exportJWK(rsa.privateKey)) })).rejects.toThrow(/Ed25519/);
    await expect(startHarness(db.url, { JWT_PRIVATE_KEY_JWK: '{not json' })).rejects.toThrow(/JSON/);
  });

  it('ensures the admin account idempotently across restarts, keeping its password', async () => {
    const email = uniqueEmail('boss');
    for (let i = 0; i < 2; i++) {
      const withAdmin = await startHarness(db.url, { ADMIN_EMAIL: email, ADMIN_PASSWORD: i === 0 ? PASSWORD : 'a different password' });
      await withAdmin.stop();
    }
    const rows = await queryDatabase<{ role: string }>(db.url, 'SELECT role::text AS role FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([{ role: 'ADMIN' }]);

    // The existing password is kept: configuration does not silently reset it.
    const check = await startHarness(db.url);
    try {
      await check.client.call('authenticate', { email, password: PASSWORD, clientAddress: '' });
    } finally {
      await check.stop();
    }
  });

  it('refuses to start rather than promote a customer who registered the admin address', async () => {
    const email = uniqueEmail('squatter');
    const plain = await startHarness(db.url);
    try {
      await plain.client.call('register', { email, password: PASSWORD, name: 'Not The Admin' });
    } finally {
      await plain.stop();
    }
    await expect(startHarness(db.url, { ADMIN_EMAIL: email, ADMIN_PASSWORD: 'admin password 1' })).rejects.toThrow(/not promoted/);
    const rows = await queryDatabase<{ role: string }>(db.url, 'SELECT role::text AS role FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([{ role: 'CUSTOMER' }]);
  });
});
