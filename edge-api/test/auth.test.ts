import { call, fake, ISSUER, AUDIENCE, startEdgeHarness, UserServiceService, type EdgeHarness } from './support/edge-harness';
import { createSigningKey, hs256WithPublicKey, signAccessToken, unsignedToken } from './support/tokens';
import { Role } from '@shop/proto/gen/shop/user/v1/user';

const user = (id: string, role: Role) => ({ id, email: `${id}@example.com`, name: id, role, createTime: new Date(), updateTime: new Date() });

describe('edge authentication and authorization', () => {
  let harness: EdgeHarness;
  beforeAll(async () => {
    harness = await startEdgeHarness({
      user: [
        fake(UserServiceService, {
          getUser: ({ userId }) => ({ ok: { user: user(userId, Role.ROLE_CUSTOMER) } }),
          listUsers: () => ({ ok: { users: [user('admin-1', Role.ROLE_ADMIN)], nextPageToken: '' } }),
        }),
      ],
    });
  });
  afterAll(() => harness.stop());

  const me = (headers: Record<string, string>, query = '') => call(`${harness.url}/v1/users/me${query}`, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const base = { sub: 'customer-1', role: 'CUSTOMER' as const, iss: ISSUER, aud: AUDIENCE };

  it('a valid token reaches the service with the user id', async () => {
    const response = await me(bearer(harness.customerToken));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'customer-1', role: 'CUSTOMER' });
  });

  it('rejects every bad token with 401 (never 500)', async () => {
    const stranger = await createSigningKey(harness.key.kid);
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      'not bearer': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      garbage: bearer('not.a.jwt'),
      'alg none': bearer(unsignedToken({ ...base, role: 'ADMIN', kid: harness.key.kid })),
      'HS256 signed with the public key': bearer(await hs256WithPublicKey(harness.key.publicJwk, { ...base, role: 'ADMIN' })),
      expired: bearer(await signAccessToken(harness.key, { ...base, expiresIn: -60 })),
      'wrong issuer': bearer(await signAccessToken(harness.key, { ...base, iss: 'evil' })),
      'wrong audience': bearer(await signAccessToken(harness.key, { ...base, aud: 'other' })),
      'unknown kid': bearer(await signAccessToken(harness.key, { ...base, kid: 'no-such-kid' })),
      'right kid, wrong key': bearer(await signAccessToken(stranger, base)),
    };
    for (const [name, headers] of Object.entries(cases)) {
      const response = await me(headers);
      expect({ name, status: response.status }).toEqual({ name, status: 401 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(harness.servers.user.calls.filter((c) => c.path.endsWith('/GetUser'))).toHaveLength(1);
  });

  it('refuses a token in the query string even when it is valid', async () => {
    for (const path of ['/v1/users/me', '/v1/products']) {
      const response = await call(`${harness.url}${path}?access_token=${harness.customerToken}`);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ reason: 'TOKEN_IN_QUERY' });
    }
  });

  it('verifies locally: the user service is asked for keys once, not per request', async () => {
    for (let i = 0; i < 5; i++) expect((await me(bearer(harness.customerToken))).status).toBe(200);
    expect(harness.servers.user.calls.filter((c) => c.path.endsWith('/GetJwks')).length).toBeLessThanOrEqual(2);
  });

  it('a customer on an admin route is 403; an admin passes', async () => {
    const customer = await call(`${harness.url}/v1/admin/users`, { token: harness.customerToken });
    expect(customer.status).toBe(403);
    expect(customer.body).toMatchObject({ code: 'PERMISSION_DENIED' });
    const admin = await call(`${harness.url}/v1/admin/users`, { token: harness.adminToken });
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ users: [expect.objectContaining({ id: 'admin-1', role: 'ADMIN' })], nextPageToken: '' });
  });

  it('refuses internal service tokens (role SERVICE) on the public API with 403', async () => {
    const token = await signAccessToken(harness.key, { ...base, sub: 'service:order', role: 'SERVICE' });
    for (const path of ['/v1/users/me', '/v1/admin/users', '/v1/products']) {
      const response = await call(`${harness.url}${path}`, { token });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it('serves the JWK set from the cached keys, public members only', async () => {
    const response = await call(`${harness.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ keys: [{ kid: harness.key.kid, kty: 'OKP', crv: 'Ed25519', x: harness.key.publicJwk.x, alg: 'EdDSA', use: 'sig' }] });
  });
});
