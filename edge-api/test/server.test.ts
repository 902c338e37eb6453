import { call, fake, ProductServiceService, startEdgeHarness, UserServiceService, type EdgeHarness } from './support/edge-harness';
import { product } from './support/fixtures';
import { batchGetByEach } from './support/product-reads';

const tokens = { accessToken: 'a', refreshToken: 'r', expiresInSeconds: 900, tokenType: 'Bearer' };

describe('edge server', () => {
  describe('client address for sign-in throttling and the registration limit', () => {
    let harness: EdgeHarness | undefined;
    afterEach(async () => {
      await harness?.stop();
      harness = undefined;
    });
    const addresses = (h: EdgeHarness, method: 'Authenticate' | 'Register') =>
      h.servers.user.calls.filter((c) => c.path.endsWith(`/${method}`)).map((c) => (c.request as { clientAddress?: string }).clientAddress);
    const user = { id: 'u1', email: 'a@b.c', name: 'A', role: 1, createTime: undefined, updateTime: undefined };
    const backends = { user: [fake(UserServiceService, { authenticate: () => ({ ok: { tokens } }), register: () => ({ ok: { user } }) })] };
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    const login = (h: EdgeHarness) => call(`${h.url}/v1/auth/login`, { method: 'POST', headers: forwarded, body: { email: 'a@b.c', password: 'pw' } });
    const register = (h: EdgeHarness) =>
      call(`${h.url}/v1/auth/register`, { method: 'POST', headers: forwarded, body: { email: 'a@b.c', password: 'a long enough passphrase', name: 'A' } });

    it('ignores X-Forwarded-For unless a proxy is trusted (a client cannot pick its own address)', async () => {
      harness = await startEdgeHarness(backends);
      expect((await login(harness)).status).toBe(200);
      expect((await register(harness)).status).toBe(201);
      expect(addresses(harness, 'Authenticate')).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
      expect(addresses(harness, 'Register')).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
    });

    it('uses the forwarded address behind a trusted proxy', async () => {
      harness = await startEdgeHarness(backends, { TRUST_PROXY: 'loopback' });
      expect((await login(harness)).status).toBe(200);
      expect((await register(harness)).status).toBe(201);
      expect(addresses(harness, 'Authenticate')).toEqual(['203.0.113.7']);
      expect(addresses(harness, 'Register')).toEqual(['203.0.113.7']);
    });
  });

  it('shutdown lets an in-flight request finish, then stops accepting', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (arrived = resolve));
    const harness = await startEdgeHarness({
      product: [
        fake(ProductServiceService, {
          batchGetProducts: batchGetByEach(async (id) => {
            arrived();
            await gate;
            return { ok: { product: product(id) } };
          }),
        }),
      ],
    });
    const inFlight = call(`${harness.url}/v1/products/slow`);
    await started;
    const stopping = harness.stop();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'slow' });
    await stopping;
    await expect(fetch(`${harness.url}/healthz`)).rejects.toThrow();
  });
});
