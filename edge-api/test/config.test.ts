import { ConfigError } from '@shop/platform';
import { loadEdgeConfig } from '../src/config';

describe('edge configuration', () => {
  it('has working defaults', () => {
    const config = loadEdgeConfig({});
    expect(config).toMatchObject({
      HTTP_PORT: 8080, HTTP_HOST: '0.0.0.0', LOG_LEVEL: 'info', JWT_ISSUER: 'shop-user-service', JWT_AUDIENCE: 'shop',
      USER_SERVICE_ADDRESS: '127.0.0.1:50051', PRODUCT_SERVICE_ADDRESS: '127.0.0.1:50052',
      ORDER_SERVICE_ADDRESS: '127.0.0.1:50053', PAYMENT_SERVICE_ADDRESS: '127.0.0.1:50054', TRUST_PROXY: false,
    });
    expect(config.GRPC_DEADLINE_MS).toBeGreaterThan(0);
    expect(config.PRODUCT_CACHE_ENTRIES).toBe(10_000);
  });

  it('reads PRODUCT_CACHE_ENTRIES, 0 (cache and watcher off) included, and refuses a negative one', () => {
    expect(loadEdgeConfig({ PRODUCT_CACHE_ENTRIES: '0' }).PRODUCT_CACHE_ENTRIES).toBe(0);
    expect(loadEdgeConfig({ PRODUCT_CACHE_ENTRIES: '500' }).PRODUCT_CACHE_ENTRIES).toBe(500);
    expect(() => loadEdgeConfig({ PRODUCT_CACHE_ENTRIES: '-1' })).toThrow(ConfigError);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadEdgeConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadEdgeConfig({ HTTP_PORT: 'eighty', GRPC_DEADLINE_MS: '-5', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadEdgeConfig({ HTTP_PORT: 'eighty', GRPC_DEADLINE_MS: '-5', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).message).toMatch(/HTTP_PORT/);
      expect((error as Error).message).toMatch(/GRPC_DEADLINE_MS/);
      expect((error as Error).message).toMatch(/LOG_LEVEL/);
    }
  });
});
