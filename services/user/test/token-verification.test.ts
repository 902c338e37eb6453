import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, jwtVerify, SignJWT, type JWK, type KeyLike } from 'jose';
import { expectGrpcError } from './support/errors';
import { PASSWORD, startUserServiceForTest, TEST_AUDIENCE, TEST_ISSUER, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

const KID = 'test-signing-key';

/**
 * The service runs with a configured key that the test also holds, so the test can mint tokens that differ from
 * a valid one in exactly one respect and check that each is refused.
 */
describe('UserService access-token verification', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;
  let privateKey: KeyLike;
  let publicJwk: JWK;
  let userId: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    privateKey = pair.privateKey;
    publicJwk = await exportJWK(pair.publicKey);
    harness = await startUserServiceForTest({ JWT_PRIVATE_KEY_JWK: JSON.stringify(await exportJWK(pair.privateKey)), JWT_KEY_ID: KID });
    const email = uniqueEmail('verify');
    userId = (await harness.client.call('register', { email, password: PASSWORD, name: 'Vera' })).user!.id;
  });

  afterAll(async () => {
    await harness?.close();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  function token(overrides: { kid?: string; iss?: string; aud?: string; iat?: number; exp?: number; role?: string; key?: KeyLike } = {}) {
    const iat = overrides.iat ?? nowSeconds();
    return new SignJWT({ role: overrides.role ?? 'CUSTOMER' })
      .setProtectedHeader({ alg: 'EdDSA', kid: overrides.kid ?? KID, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(overrides.iss ?? TEST_ISSUER)
      .setAudience(overrides.aud ?? TEST_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(overrides.exp ?? iat + 900)
      .setJti(`jti-${Math.random()}`)
      .sign(overrides.key ?? privateKey);
  }

  const getMe = (accessToken: string) => harness.client.call('getUser', { userId: '' }, accessToken);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = () => ({ sub: userId, role: 'ADMIN', iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 900, jti: 'forged' });

  it('accepts a correctly signed token (the control for every case below)', async () => {
    const response = await getMe(await token());
    expect(response.user?.id).toBe(userId);
  });

  it('publishes the configured public key in GetJwks, and it verifies issued tokens', async () => {
    const { keys } = await harness.client.call('getJwks', {});
    expect(keys).toEqual([{ kid: KID, kty: 'OKP', crv: 'Ed25519', x: publicJwk.x, y: '', alg: 'EdDSA', use: 'sig' }]);
    expect(JSON.stringify(keys)).not.toContain('"d"');

    const { tokens } = await harness.client.call('authenticate', { email: (await getMe(await token())).user!.email, password: PASSWORD, clientAddress: '' });
    const jwks = createLocalJWKSet({ keys: keys.map(({ kid, kty, crv, x, alg, use }) => ({ kid, kty, crv, x, alg, use })) });
    const { payload, protectedHeader } = await jwtVerify(tokens!.accessToken, jwks, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
    expect(protectedHeader.kid).toBe(KID);
    expect(payload.sub).toBe(userId);
  });

  it('rejects alg "none"', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${b64(claims())}.`;
    await expectGrpcError(getMe(unsigned), status.UNAUTHENTICATED);
  });

  it('rejects HS256 signed with the public key as the shared secret', async () => {
    const spki = await exportSPKI(createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }));
    for (const secret of [new TextEncoder().encode(spki), Buffer.from(publicJwk.x!, 'base64url'), new TextEncoder().encode(JSON.stringify(publicJwk))]) {
      const forged = await new SignJWT({ role: 'ADMIN' })
        .setProtectedHeader({ alg: 'HS256', kid: KID, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('15m')
        .setJti('forged')
        .sign(secret);
      await expectGrpcError(getMe(forged), status.UNAUTHENTICATED);
    }
  });

  it('rejects an expired token', async () => {
    const issued = nowSeconds() - 3600;
    await expectGrpcError(getMe(await token({ iat: issued, exp: issued + 900 })), status.UNAUTHENTICATED);
  });

  it('rejects a wrong issuer', async () => {
    await expectGrpcError(getMe(await token({ iss: 'someone-else' })), status.UNAUTHENTICATED);
  });

  it('rejects a wrong audience', async () => {
    await expectGrpcError(getMe(await token({ aud: 'another-api' })), status.UNAUTHENTICATED);
  });

  it('rejects an unknown kid, and a token signed by another key under the known kid', async () => {
    await expectGrpcError(getMe(await token({ kid: 'unknown-kid' })), status.UNAUTHENTICATED);
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    await expectGrpcError(getMe(await token({ key: other.privateKey })), status.UNAUTHENTICATED);
  });

  it('rejects an unknown role claim, a tampered payload, a missing or malformed header, and no token at all', async () => {
    await expectGrpcError(getMe(await token({ role: 'SUPERUSER' })), status.UNAUTHENTICATED);
    const [header, , signature] = (await token()).split('.');
    await expectGrpcError(getMe(`${header}.${b64(claims())}.${signature}`), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.callWithAuthorization('getUser', { userId: '' }, await token()), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.callWithAuthorization('getUser', { userId: '' }, 'Basic dXNlcjpwYXNz'), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('getUser', { userId: '' }), status.UNAUTHENTICATED);
  });
});
