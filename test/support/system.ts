/**
 * The whole system in one process, for tests that drive the REST edge (test/e2e/**).
 *
 *   const system = await startSystem({ env: { order: { SAGA_RETRY_DELAY_MS: '200' } } });
 *   const customer = await system.registerCustomer();
 *   const product = await system.createProduct({ amountMinor: 1999, stock: 10 });
 *   const res = await system.api<OrderJson>('/v1/orders', { method: 'POST', token: customer.accessToken,
 *     headers: { 'idempotency-key': 'k1' }, body: { items: [...], card: {...}, shippingAddress: {...} } });
 *   await system.stopService('payment'); ... await system.startService('payment');   // same port again
 *   await system.services.order.recoverNow();  system.databaseUrls.product  // invariants with pg
 *   await system.stop();   // afterAll: stops everything and drops the databases
 *
 * Problem bodies carry the request id; send the same `x-request-id` header to compare two answers byte for byte.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { loadEdgeConfig } from '../../edge-api/src/config';
import { startEdge, type RunningEdge } from '../../edge-api/src/server';
import { createSigningKey, type SigningKey } from '../../edge-api/test/support/tokens';
import { loadOrderConfig } from '../../services/order/src/config';
import { startOrderService, type RunningOrderService } from '../../services/order/src/service';
import { loadPaymentConfig } from '../../services/payment/src/config';
import { startPaymentService, type RunningPaymentService } from '../../services/payment/src/service';
import { loadProductConfig } from '../../services/product/src/config';
import { startProductService, type RunningProductService } from '../../services/product/src/service';
import { loadUserConfig } from '../../services/user/src/config';
import { startUserService, type RunningUserService } from '../../services/user/src/service';
import { call, type CallInit, type CallResult } from './http';

export const SERVICES = ['user', 'product', 'payment', 'order'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const ISSUER = 'shop-user-service';
export const AUDIENCE = 'shop';
export const ADMIN_EMAIL = 'admin@shop.test';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

interface RunningServices {
  user: RunningUserService;
  product: RunningProductService;
  payment: RunningPaymentService;
  order: RunningOrderService;
}

export interface SystemOptions {
  /** Extra environment per service (and the edge), e.g. { order: { SAGA_RETRY_DELAY_MS: '200' } }. */
  env?: Partial<Record<ServiceName | 'edge', Record<string, string>>>;
  /** Level of the captured log lines (default info). */
  logLevel?: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface Customer extends TokenPair {
  id: string;
  email: string;
  password: string;
  name: string;
}

export interface RunningSystem {
  edgeUrl: string;
  ports: Record<ServiceName | 'edge', number>;
  databaseUrls: Record<ServiceName, string>;
  /** The key the user service signs with (configured by the harness), so tests can forge precisely wrong tokens. */
  signingKey: SigningKey;
  /** The running service handles (recoverNow, sweepNow...); replaced when a service is restarted. */
  services: RunningServices;
  /** Every log line written so far by the services and the edge, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Stops one service (graceful); its port is kept so that it comes back where its peers look for it. */
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /** fetch against the edge: `api('/v1/products', { token })`. */
  api<T = unknown>(path: string, init?: CallInit): Promise<CallResult<T>>;
  /** Registers and signs in a new customer through the edge (a unique email each time). */
  registerCustomer(overrides?: Partial<Pick<Customer, 'email' | 'password' | 'name'>>): Promise<Customer>;
  /** Signs in the admin the user service seeded from ADMIN_EMAIL / ADMIN_PASSWORD. */
  signInAdmin(): Promise<TokenPair & { id: string }>;
  /** Creates an active product through the edge as admin, with `stock` units on hand. */
  createProduct(input?: ProductInput): Promise<ProductJson>;
  stop(): Promise<void>;
}

export interface ProductInput {
  sku?: string;
  name?: string;
  description?: string;
  category?: string;
  amountMinor?: number;
  currency?: string;
  stock?: number;
}

export interface ProductJson {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: { amountMinor: number; currency: string };
  category: string;
  imageUrls: string[];
  active: boolean;
}

let uniqueCounter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(uniqueCounter += 1)}`;

function memoryLogs(level: string): { loggerFor(service: string): Logger; lines(): Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    loggerFor: (service) => createLogger({ service, level, destination }),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function expectStatus<T>(result: Promise<CallResult<T>>, expected: number, what: string): Promise<T> {
  const response = await result;
  if (response.status !== expected) throw new Error(`${what}: expected ${expected}, got ${response.status} ${response.text}`);
  return response.body;
}

/**
 * Boots the whole system in this process for a test suite: a fresh database per service, the user service
 * first, then product, payment and order (each pointed at the others' real ports), then the REST edge. Port 0
 * everywhere; nothing shared with other suites.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const logs = memoryLogs(options.logLevel ?? 'info');
  const signingKey = await createSigningKey();
  const databases = {} as Record<ServiceName, TestDatabase>;
  const created = await Promise.all(SERVICES.map((name) => createTestDatabase(name)));
  SERVICES.forEach((name, index) => (databases[name] = created[index]!));

  const ports = { user: 0, product: 0, payment: 0, order: 0, edge: 0 } as Record<ServiceName | 'edge', number>;
  const services = {} as RunningServices;
  let edge: RunningEdge | undefined;
  const address = (name: ServiceName) => `127.0.0.1:${ports[name]}`;
  const common = (name: ServiceName): Record<string, string> => ({
    DATABASE_URL: databases[name].url,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(ports[name]),
    LOG_LEVEL: options.logLevel ?? 'info',
    SHUTDOWN_GRACE_MS: '2000',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ...(name === 'user' ? {} : { USER_SERVICE_ADDRESS: address('user') }),
  });

  const starters: { [K in ServiceName]: () => Promise<RunningServices[K]> } = {
    user: () =>
      startUserService(
        loadUserConfig({
          ...common('user'),
          JWT_PRIVATE_KEY_JWK: JSON.stringify(signingKey.privateJwk),
          JWT_KEY_ID: signingKey.kid,
          ADMIN_EMAIL,
          ADMIN_PASSWORD,
          ...options.env?.user,
        }),
        { logger: logs.loggerFor('user') },
      ),
    product: () => startProductService(loadProductConfig({ ...common('product'), ...options.env?.product }), { logger: logs.loggerFor('product') }),
    payment: () => startPaymentService(loadPaymentConfig({ ...common('payment'), ...options.env?.payment }), { logger: logs.loggerFor('payment') }),
    order: () =>
      startOrderService(
        loadOrderConfig({
          ...common('order'),
          PRODUCT_SERVICE_ADDRESS: address('product'),
          PAYMENT_SERVICE_ADDRESS: address('payment'),
          ...options.env?.order,
        }),
        { logger: logs.loggerFor('order') },
      ),
  };

  const startService = async (name: ServiceName) => {
    const running = await starters[name]();
    (services as unknown as Record<ServiceName, unknown>)[name] = running;
    ports[name] = running.port;
  };

  const stopAll = async () => {
    await edge?.shutdown();
    for (const name of [...SERVICES].reverse()) {
      const running = services[name];
      if (running) await running.shutdown().catch(() => undefined);
    }
    await Promise.all(SERVICES.map((name) => databases[name].drop().catch(() => undefined)));
  };

  try {
    for (const name of SERVICES) await startService(name);
    edge = await startEdge(
      loadEdgeConfig({
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LOG_LEVEL: options.logLevel ?? 'info',
        USER_SERVICE_ADDRESS: address('user'),
        PRODUCT_SERVICE_ADDRESS: address('product'),
        ORDER_SERVICE_ADDRESS: address('order'),
        PAYMENT_SERVICE_ADDRESS: address('payment'),
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        SHUTDOWN_GRACE_MS: '2000',
        ...options.env?.edge,
      }),
      { logger: logs.loggerFor('edge-api') },
    );
    ports.edge = edge.port;
  } catch (error) {
    await stopAll();
    throw error;
  }

  const edgeUrl = edge.url;
  const api = <T = unknown>(path: string, init: CallInit = {}) => call<T>(`${edgeUrl}${path}`, init);
  const stopped = new Set<ServiceName>();

  const system: RunningSystem = {
    edgeUrl,
    ports,
    databaseUrls: Object.fromEntries(SERVICES.map((name) => [name, databases[name].url])) as Record<ServiceName, string>,
    signingKey,
    services,
    logs: logs.lines,
    async stopService(name) {
      if (stopped.has(name)) return;
      stopped.add(name);
      await services[name].shutdown();
    },
    async startService(name) {
      if (!stopped.has(name)) return;
      await startService(name);
      stopped.delete(name);
    },
    api,
    async registerCustomer(overrides = {}) {
      const email = overrides.email ?? `${unique('customer')}@example.com`;
      const password = overrides.password ?? 'correct horse battery staple';
      const name = overrides.name ?? 'Test Customer';
      const user = await expectStatus(api<{ id: string }>('/v1/auth/register', { method: 'POST', body: { email, password, name } }), 201, 'register');
      const tokens = await expectStatus(api<TokenPair>('/v1/auth/login', { method: 'POST', body: { email, password } }), 200, 'login');
      return { id: user.id, email, password, name, ...tokens };
    },
    async signInAdmin() {
      const tokens = await expectStatus(
        api<TokenPair>('/v1/auth/login', { method: 'POST', body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
        200,
        'admin login',
      );
      const me = await expectStatus(api<{ id: string }>('/v1/users/me', { token: tokens.accessToken }), 200, 'admin profile');
      return { ...tokens, id: me.id };
    },
    async createProduct(input = {}) {
      const admin = await adminSession();
      const product = await expectStatus(
        api<ProductJson>('/v1/products', {
          method: 'POST',
          token: admin,
          body: {
            sku: input.sku ?? unique('SKU'),
            name: input.name ?? 'Test product',
            description: input.description ?? 'A product made by the test harness',
            price: { amountMinor: input.amountMinor ?? 1999, currency: input.currency ?? 'USD' },
            category: input.category ?? 'test',
            imageUrls: [],
          },
        }),
        201,
        'create product',
      );
      if (input.stock) {
        await expectStatus(
          api(`/v1/admin/products/${product.id}/stock`, { method: 'POST', token: admin, body: { delta: input.stock, reason: 'test stock' } }),
          200,
          'add stock',
        );
      }
      return product;
    },
    stop: stopAll,
  };

  // One admin sign-in per system, reused by createProduct (sign-ins are throttled and argon2 is slow on purpose).
  let adminToken: Promise<string> | undefined;
  const adminSession = () => (adminToken ??= system.signInAdmin().then((tokens) => tokens.accessToken));
  return system;
}
