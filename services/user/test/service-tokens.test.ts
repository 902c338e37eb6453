import { status } from '@grpc/grpc-js';
import { createServiceTokenSource, createTokenVerifier } from '@shop/platform';
import { decodeJwt, type JWK } from 'jose';
import { expectGrpcError } from './support/errors';
import { PASSWORD, startUserServiceForTest, TEST_AUDIENCE, TEST_ISSUER, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

describe('client-credentials grant for internal callers', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest({ SERVICE_CREDENTIALS: 'order:s3cret-order,bench:another-secret' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('issues a SERVICE token that every service verifier accepts as that client', async () => {
    const issued = await harness.client.call('issueServiceToken', { clientId: 'order', clientSecret: 's3cret-order' });
    expect(issued.expiresInSeconds).toBeGreaterThan(0);
    const { keys } = await harness.client.call('getJwks', {});
    const verifier = createTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      keys: async () => keys.map((key): JWK => ({ kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: key.alg })),
    });
    await expect(verifier.verify(issued.accessToken)).resolves.toMatchObject({ userId: 'service:order', role: 'SERVICE' });
  });

  it('refuses a wrong secret, another client\'s secret and an unknown client alike', async () => {
    for (const [clientId, clientSecret] of [['order', 'wrong'], ['order', 'another-secret'], ['nobody', 's3cret-order'], ['order', '']]) {
      const error = await expectGrpcError(harness.client.call('issueServiceToken', { clientId: clientId!, clientSecret: clientSecret! }), status.UNAUTHENTICATED);
      expect(error.message).toBe('Invalid client credentials');
    }
  });

  it('gives a service token no access to user-only operations', async () => {
    const issued = await harness.client.call('issueServiceToken', { clientId: 'order', clientSecret: 's3cret-order' });
    await expectGrpcError(harness.client.call('getUser', { userId: '' }, issued.accessToken), status.PERMISSION_DENIED);
    await expectGrpcError(harness.client.call('listUsers', { pageSize: 0, pageToken: '' }, issued.accessToken), status.PERMISSION_DENIED);
    await expectGrpcError(harness.client.call('updateProfile', { name: 'x' }, issued.accessToken), status.PERMISSION_DENIED);
  });

  it('caches the token in the platform token source and renews it when it nears expiry', async () => {
    let issues = 0;
    const source = createServiceTokenSource(async () => {
      issues += 1;
      return harness.client.call('issueServiceToken', { clientId: 'bench', clientSecret: 'another-secret' });
    });
    const [first, second] = await Promise.all([source.authorization(), source.authorization()]);
    expect(first).toBe(second);
    expect(await source.authorization()).toBe(first);
    expect(issues).toBe(1);
    expect(decodeJwt(first.replace('Bearer ', '')).sub).toBe('service:bench');

    let shortIssues = 0;
    const nearlyExpired = createServiceTokenSource(async () => {
      shortIssues += 1;
      return { accessToken: `token-${shortIssues}`, expiresInSeconds: 30 };
    }, 60);
    expect(await nearlyExpired.authorization()).toBe('Bearer token-1');
    expect(await nearlyExpired.authorization()).toBe('Bearer token-2');
  });

  it('still serves ordinary users', async () => {
    const email = uniqueEmail('svc');
    await harness.client.call('register', { email, password: PASSWORD, name: 'Still Works' });
    const { tokens } = await harness.client.call('authenticate', { email, password: PASSWORD, clientAddress: '192.0.2.9' });
    expect((await harness.client.call('getUser', { userId: '' }, tokens!.accessToken)).user?.email).toBe(email);
  });
});
