import { Writable } from 'node:stream';
import { createLogger } from '@shop/platform';
import { type HealthCheckResponse_ServingStatus, HealthService } from '@shop/proto/gen/grpc/health/v1/health';
import { OrderServiceService } from '@shop/proto/gen/shop/order/v1/order';
import { InventoryServiceService, ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import { loadEdgeConfig } from '../../src/config';
import { startEdge, type RunningEdge } from '../../src/server';
import { fake, startFakeServer, type FakeServer, type FakeService } from './fake-services';
import { createSigningKey, signAccessToken, type SigningKey } from './tokens';

export const ISSUER = 'shop-user-service';
export const AUDIENCE = 'shop';

type AnyFake = FakeService<Record<string, { path: string; requestStream: boolean; responseStream: boolean }>>;

export interface FakeBackends {
  user?: AnyFake[];
  product?: AnyFake[];
  order?: AnyFake[];
  payment?: AnyFake[];
}

type Name = keyof FakeBackends;
const NAMES: Name[] = ['user', 'product', 'order', 'payment'];

export interface EdgeHarness {
  url: string;
  key: SigningKey;
  servers: Record<Name, FakeServer>;
  customerToken: string;
  adminToken: string;
  logs: () => Array<Record<string, unknown>>;
  /** Stops one fake backend (its port stays known so it can come back). */
  stopBackend(name: Name): Promise<void>;
  restartBackend(name: Name): Promise<void>;
  setHealth(name: Name, status: HealthCheckResponse_ServingStatus): void;
  stop(): Promise<void>;
}

/**
 * The real edge (startEdge, real platform clients and verifier) in front of real gRPC servers on ephemeral ports
 * whose answers each test chooses. The user backend publishes the test's signing key through GetJwks.
 */
export async function startEdgeHarness(backends: FakeBackends = {}, env: Record<string, string> = {}): Promise<EdgeHarness> {
  const key = await createSigningKey();
  const health: Record<Name, HealthCheckResponse_ServingStatus> = { user: 1, product: 1, order: 1, payment: 1 };
  const jwks = fake(UserServiceService, {
    getJwks: () => ({
      ok: { keys: [{ kid: key.kid, kty: 'OKP', crv: 'Ed25519', x: String(key.publicJwk.x), y: '', alg: 'EdDSA', use: 'sig' }] },
    }),
  });
  const servicesFor = (name: Name): AnyFake[] => [
    ...(name === 'user' ? [jwks as unknown as AnyFake] : []),
    ...(backends[name] ?? []),
    fake(HealthService, { check: () => ({ ok: { status: health[name] } }) }) as unknown as AnyFake,
  ];
  const servers = {} as Record<Name, FakeServer>;
  for (const name of NAMES) servers[name] = await startFakeServer(servicesFor(name));

  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ service: 'edge-api', level: 'info', destination });
  const config = loadEdgeConfig({
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    USER_SERVICE_ADDRESS: servers.user.address,
    PRODUCT_SERVICE_ADDRESS: servers.product.address,
    ORDER_SERVICE_ADDRESS: servers.order.address,
    PAYMENT_SERVICE_ADDRESS: servers.payment.address,
    SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  const edge: RunningEdge = await startEdge(config, { logger });
  const claims = { iss: ISSUER, aud: AUDIENCE };
  return {
    url: edge.url,
    key,
    servers,
    customerToken: await signAccessToken(key, { ...claims, sub: 'customer-1', role: 'CUSTOMER' }),
    adminToken: await signAccessToken(key, { ...claims, sub: 'admin-1', role: 'ADMIN' }),
    logs: () => lines.join('').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    stopBackend: (name) => servers[name].stop(),
    async restartBackend(name) {
      servers[name] = await startFakeServer(servicesFor(name), servers[name].port);
    },
    setHealth(name, status) {
      health[name] = status;
    },
    async stop() {
      await edge.shutdown();
      await Promise.all(NAMES.map((name) => servers[name].stop()));
    },
  };
}

export { fake, ProductServiceService, InventoryServiceService, OrderServiceService, UserServiceService };

export { call } from './http';
