import { TokenPairSchema, UserListSchema, UserSchema } from '../../edge-api/src/schemas/users';
import { ADMIN_EMAIL, AUDIENCE, ISSUER, startSystem, type Customer, type RunningSystem, type TokenPair } from '../support/system';
import { createSigningKey, hs256WithPublicKey, signAccessToken, unsignedToken } from '../support/tokens';

jest.setTimeout(120_000);

interface UserJson {
  id: string;
  email: string;
  name: string;
  role: 'CUSTOMER' | 'ADMIN';
}

interface Problem {
  status: number;
  code: string;
  reason?: string;
  detail: string;
}

describe('authentication through the REST edge (whole system)', () => {
  let system: RunningSystem;
  let customer: Customer;
  beforeAll(async () => {
    // A small registration limit, reached from an address of the test's own behind a trusted proxy.
    system = await startSystem({ env: { user: { REGISTRATION_MAX_PER_ADDRESS: '8' }, edge: { TRUST_PROXY: 'loopback' } } });
    customer = await system.registerCustomer({ name: 'Ada' });
  });
  afterAll(() => system?.stop());

  const login = (email: string, password: string) => system.api<TokenPair & Problem>('/v1/auth/login', { method: 'POST', body: { email, password } });
  const refresh = (refreshToken: string) => system.api<TokenPair & Problem>('/v1/auth/refresh', { method: 'POST', body: { refreshToken } });
  const me = (token: string) => system.api<UserJson & Problem>('/v1/users/me', { token });

  it('registers (201, no secrets in the answer) and refuses a duplicate email in any case with 409', async () => {
    const email = `Grace.${Date.now()}@Example.com`;
    const created = await system.api<UserJson>('/v1/auth/register', { method: 'POST', body: { email, password: 'a long enough passphrase', name: 'Grace' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: email.toLowerCase(), name: 'Grace', role: 'CUSTOMER' });
    expect(created.text).not.toMatch(/argon2|passwordHash|a long enough passphrase/);
    // The answer matches the schema /openapi.json documents.
    expect(UserSchema.parse(created.body)).toEqual(created.body);
    const duplicate = await system.api<Problem>('/v1/auth/register', { method: 'POST', body: { email: email.toUpperCase(), password: 'another passphrase', name: 'G' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('logs in and reads the own profile with the access token', async () => {
    const response = await login(customer.email, customer.password);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: expect.any(Number), tokenType: 'Bearer' });
    expect(TokenPairSchema.safeParse(response.body).success).toBe(true);
    const profile = await me(response.body.accessToken);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: customer.id, email: customer.email, name: 'Ada', role: 'CUSTOMER' });
  });

  it('refresh rotates: the new pair works and the old refresh token then fails', async () => {
    const first = (await login(customer.email, customer.password)).body;
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(rotated.body.accessToken)).status).toBe(200);
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
  });

  it('reuse of a rotated refresh token revokes the whole family', async () => {
    const first = (await login(customer.email, customer.password)).body;
    const second = (await refresh(first.refreshToken)).body;
    expect((await refresh(first.refreshToken)).status).toBe(401); // theft detected
    expect((await refresh(second.refreshToken)).status).toBe(401); // the legitimate successor is revoked too
    // Other sessions are not part of that family.
    const other = (await login(customer.email, customer.password)).body;
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('logout revokes the refresh token (204, idempotent)', async () => {
    const session = (await login(customer.email, customer.password)).body;
    const out = await system.api('/v1/auth/logout', { method: 'POST', body: { refreshToken: session.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await system.api('/v1/auth/logout', { method: 'POST', body: { refreshToken: session.refreshToken } })).status).toBe(204);
  });

  it('rejects every forged or misplaced token with 401, never 500', async () => {
    const jwks = await system.api<{ keys: Array<{ kid: string; x: string; kty: string; crv: string }> }>('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const published = jwks.body.keys.find((key) => key.kid === system.signingKey.kid);
    expect(published).toBeDefined();
    const claims = { sub: customer.id, role: 'CUSTOMER' as const, iss: ISSUER, aud: AUDIENCE };
    // Sanity: a token signed exactly right with the service's key is accepted, so each case below fails for its one flaw.
    expect((await me(await signAccessToken(system.signingKey, claims))).status).toBe(200);

    const stranger = await createSigningKey(system.signingKey.kid);
    const cases: Record<string, string> = {
      'alg none': unsignedToken({ ...claims, role: 'ADMIN', kid: system.signingKey.kid }),
      'HS256 signed with the public key': await hs256WithPublicKey({ ...published! }, { ...claims, role: 'ADMIN' }),
      expired: await signAccessToken(system.signingKey, { ...claims, expiresIn: -120 }),
      'wrong issuer': await signAccessToken(system.signingKey, { ...claims, iss: 'someone-else' }),
      'wrong audience': await signAccessToken(system.signingKey, { ...claims, aud: 'another-api' }),
      'unknown kid': await signAccessToken(system.signingKey, { ...claims, kid: 'kid-nobody-published' }),
      'published kid, foreign key': await signAccessToken(stranger, claims),
    };
    for (const [name, token] of Object.entries(cases)) {
      const response = await me(token);
      expect({ name, status: response.status, type: response.headers.get('content-type') }).toEqual({
        name, status: 401, type: expect.stringMatching(/^application\/problem\+json/),
      });
    }
    const inQuery = await system.api<Problem>(`/v1/users/me?access_token=${customer.accessToken}`);
    expect(inQuery.status).toBe(401);
    expect(inQuery.body.reason).toBe('TOKEN_IN_QUERY');
  });

  it('a customer token is 403 on every admin route', async () => {
    const token = customer.accessToken;
    const id = customer.id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/admin/users'],
      ['PATCH', `/v1/admin/users/${id}/role`, { role: 'ADMIN' }],
      ['POST', '/v1/products', { sku: 'X-1', name: 'X', description: 'x', price: { amountMinor: 100, currency: 'USD' }, category: 'x', imageUrls: [] }],
      ['PATCH', '/v1/products/some-id', { name: 'Y' }],
      ['DELETE', '/v1/products/some-id'],
      ['GET', '/v1/admin/products/some-id/stock'],
      ['POST', '/v1/admin/products/some-id/stock', { delta: 5, reason: 'x' }],
      ['GET', '/v1/admin/orders'],
    ];
    for (const [method, path, body] of routes) {
      const response = await system.api<Problem>(path, { method, token, ...(body === undefined ? {} : { body }) });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect((await me(token)).body.role).toBe('CUSTOMER');
  });

  it('PATCH /v1/users/me cannot change role or email (400), and the role stays CUSTOMER', async () => {
    const escalate = await system.api<Problem & { errors: Array<{ field: string }> }>('/v1/users/me', {
      method: 'PATCH', token: customer.accessToken, body: { name: 'Mallory', role: 'ADMIN' },
    });
    expect(escalate.status).toBe(400);
    expect(escalate.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    const steal = await system.api('/v1/users/me', { method: 'PATCH', token: customer.accessToken, body: { email: ADMIN_EMAIL } });
    expect(steal.status).toBe(400);
    const profile = await me(customer.accessToken);
    expect(profile.body).toMatchObject({ role: 'CUSTOMER', email: customer.email, name: 'Ada' });
    // A fresh token shows the same: nothing changed on the server.
    const fresh = (await login(customer.email, customer.password)).body;
    expect((await me(fresh.accessToken)).body.role).toBe('CUSTOMER');

    const renamed = await system.api<UserJson>('/v1/users/me', { method: 'PATCH', token: customer.accessToken, body: { name: 'Ada L.' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Ada L.', role: 'CUSTOMER' });
  });

  it('admins list users page by page and promote a customer, whose next token carries the role', async () => {
    const admin = await system.signInAdmin();
    const promoted = await system.registerCustomer();
    const seen = new Set<string>();
    let pageToken = '';
    for (let pages = 0; pages < 20; pages++) {
      const page = await system.api<{ users: UserJson[]; nextPageToken: string }>(`/v1/admin/users?page_size=1${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`, { token: admin.accessToken });
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(1);
      expect(UserListSchema.safeParse(page.body).success).toBe(true);
      for (const user of page.body.users) {
        expect(seen.has(user.id)).toBe(false);
        seen.add(user.id);
      }
      pageToken = page.body.nextPageToken;
      if (!pageToken) break;
    }
    expect(seen.has(admin.id)).toBe(true);
    expect(seen.has(promoted.id)).toBe(true);

    const set = await system.api<UserJson>(`/v1/admin/users/${promoted.id}/role`, { method: 'PATCH', token: admin.accessToken, body: { role: 'ADMIN' } });
    expect(set.status).toBe(200);
    expect(set.body.role).toBe('ADMIN');
    const invalidRole = await system.api(`/v1/admin/users/${promoted.id}/role`, { method: 'PATCH', token: admin.accessToken, body: { role: 'ROOT' } });
    expect(invalidRole.status).toBe(400);
    const relogin = (await login(promoted.email, promoted.password)).body;
    expect((await system.api('/v1/admin/users', { token: relogin.accessToken })).status).toBe(200);
  });

  it('throttles failed sign-ins with 429 and Retry-After; unknown email and wrong password look the same', async () => {
    const victim = await system.registerCustomer();
    const wrong = await login(victim.email, 'not the password');
    const unknown = await login(`nobody-${Date.now()}@example.com`, 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body.detail).toBe(wrong.body.detail);

    let throttled: Awaited<ReturnType<typeof login>> | undefined;
    for (let attempt = 0; attempt < 10 && !throttled; attempt++) {
      const response = await login(victim.email, `wrong-${attempt}`);
      if (response.status === 429) throttled = response;
      else expect(response.status).toBe(401);
    }
    expect(throttled).toBeDefined();
    expect(throttled!.body).toMatchObject({ status: 429, reason: 'TOO_MANY_ATTEMPTS' });
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits out the window.
    expect((await login(victim.email, victim.password)).status).toBe(429);
  });

  it('limits registrations per client address with 429 and Retry-After, and creates nothing past the limit', async () => {
    const register = (email: string, address: string) =>
      system.api<UserJson & Problem>('/v1/auth/register', {
        method: 'POST', headers: { 'x-forwarded-for': address }, body: { email, password: 'a long enough passphrase', name: 'Bulk' },
      });
    const email = (n: number) => `bulk-${n}-${Date.now()}@example.com`;
    for (let n = 0; n < 8; n++) expect((await register(email(n), '203.0.113.50')).status).toBe(201);
    const refusedEmail = email(8);
    const refused = await register(refusedEmail, '203.0.113.50');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, reason: 'TOO_MANY_ATTEMPTS' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.text).not.toMatch(/registration_attempts|advisory|prisma/i);
    // The refused account does not exist; another address still registers.
    expect((await login(refusedEmail, 'a long enough passphrase')).status).toBe(401);
    expect((await register(email(9), '203.0.113.51')).status).toBe(201);
  });
});
