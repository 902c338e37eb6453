import { randomUUID } from 'node:crypto';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  createLogger, createTokenVerifier, parseServiceError, type RemoteError, type RequestOf, type ResponseOf, type ServiceTokenSource, type TokenVerifier,
} from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { loadPaymentConfig } from '@shop/payment-service/src/config';
import { startPaymentService, type RunningPaymentService } from '@shop/payment-service/src/service';
import { loadProductConfig } from '@shop/product-service/src/config';
import { startProductService, type RunningProductService } from '@shop/product-service/src/service';
import { OrderServiceService, type Address, type CreateOrderRequest } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentServiceService, type Card } from '@shop/proto/gen/shop/payment/v1/payment';
import { InventoryServiceService, ProductServiceService, type Product } from '@shop/proto/gen/shop/product/v1/product';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Pool } from 'pg';
import { loadOrderConfig } from '../../src/config';
import { startOrderService, type RunningOrderService } from '../../src/service';

const ISSUER = 'order-test-issuer';
const AUDIENCE = 'order-test-audience';
const KID = 'order-test-key';

export type Role = 'CUSTOMER' | 'ADMIN';

export interface CallSettings {
  /** A bearer token; null sends none. Default: an admin token (for arranging data). */
  token?: string | null;
  deadlineMs?: number;
}

type AnyDefinition = Record<string, { path: string; requestSerialize(value: never): Buffer; responseDeserialize(bytes: Buffer): unknown }>;

export type Caller<D> = {
  [K in keyof D]: (request: RequestOf<D[K]>, settings?: CallSettings) => Promise<ResponseOf<D[K]>>;
};

/** A signed-in user of the test stack. */
export interface TestUser {
  userId: string;
  role: Role;
  token: string;
}

export const APPROVED_CARD: Card = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
export const DECLINED_CARD: Card = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' };
export const ADDRESS: Address = { name: 'Ada Lovelace', line1: '1 Analytical Way', line2: '', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

interface Endpoint<S> {
  running: S;
  port: number;
}

/**
 * The order service with real product and payment services in-process, each on its own fresh PostgreSQL
 * database and an ephemeral port, and real grpc-js clients. Tokens are signed by a test key that every service
 * verifies, as the user service's keys would be in production.
 */
export interface Stack {
  orders: Caller<typeof OrderServiceService>;
  products: Caller<typeof ProductServiceService>;
  inventory: Caller<typeof InventoryServiceService>;
  payments: Caller<typeof PaymentServiceService>;
  user(role?: Role): Promise<TestUser>;
  /** A SERVICE token, as the order service itself sends to product and payment. */
  serviceToken(): Promise<string>;
  /** SQL on the order database. */
  orderSql<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** SQL on the product database. */
  productSql<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  orderDatabaseUrl: string;
  createProduct(options?: { stock?: number; priceMinor?: bigint; currency?: string; active?: boolean }): Promise<Product>;
  stockOf(productId: string): Promise<{ onHand: number; reserved: number; available: number; sold: number }>;
  createOrderRequest(productId: string, quantity: number, overrides?: Partial<CreateOrderRequest>): CreateOrderRequest;
  recoverNow(): Promise<number>;
  stopPayment(): Promise<void>;
  restartPayment(): Promise<void>;
  /** Stops the order service (as a crash would: its in-memory state is lost) and starts a fresh instance on the same database. */
  restartOrder(env?: Record<string, string>): Promise<void>;
  /** Another order service replica on the same database (stopped by close). */
  startReplica(env?: Record<string, string>): Promise<RunningOrderService>;
  close(): Promise<void>;
}

export interface StackOptions {
  order?: Record<string, string>;
  payment?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const orderEnv = options.order ?? {};
  const [orderDb, productDb, paymentDb] = await Promise.all([createTestDatabase('order'), createTestDatabase('product'), createTestDatabase('payment')]);
  const databases: TestDatabase[] = [orderDb, productDb, paymentDb];
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' };
  const verifier: TokenVerifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => [publicJwk] });
  const common = { GRPC_HOST: '127.0.0.1', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '1000' };
  const silent = (service: string) => createLogger({ service, level: 'silent' });

  const product: Endpoint<RunningProductService> = await (async () => {
    const config = loadProductConfig({ ...common, GRPC_PORT: '0', DATABASE_URL: productDb.url, RESERVATION_SWEEP_INTERVAL_MS: '600000' });
    const running = await startProductService(config, { logger: silent('product'), verifier });
    return { running, port: running.port };
  })();

  const startPayment = async (port: number): Promise<Endpoint<RunningPaymentService>> => {
    const config = loadPaymentConfig({ ...common, GRPC_PORT: String(port), DATABASE_URL: paymentDb.url, ...options.payment });
    const running = await startPaymentService(config, { logger: silent('payment'), verifier });
    return { running, port: running.port };
  };
  let payment: Endpoint<RunningPaymentService> | undefined = await startPayment(0);
  const paymentPort = payment.port;

  const sign = (userId: string, role: Role | 'SERVICE') =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'EdDSA', kid: KID })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .setJti(randomUUID())
      .sign(privateKey);
  const adminToken = await sign(randomUUID(), 'ADMIN');
  // What the user service's client-credentials grant hands the order service.
  const serviceTokens: ServiceTokenSource = { authorization: async () => `Bearer ${await sign('service:order', 'SERVICE')}` };

  const startOrder = (env: Record<string, string>): Promise<RunningOrderService> =>
    startOrderService(
      loadOrderConfig({
        ...common,
        GRPC_PORT: '0',
        DATABASE_URL: orderDb.url,
        PRODUCT_SERVICE_ADDRESS: `127.0.0.1:${product.port}`,
        PAYMENT_SERVICE_ADDRESS: `127.0.0.1:${paymentPort}`,
        IDEMPOTENCY_SECRET: 'order-test-idempotency-secret',
        // Tests drive recovery themselves unless they ask for the timer.
        RECOVERY_INTERVAL_MS: '600000',
        SAGA_RETRY_DELAY_MS: '100',
        ...orderEnv,
        ...env,
      }),
      { logger: silent('order'), verifier, serviceTokens },
    );
  let order = await startOrder({});
  const replicas: RunningOrderService[] = [];
  let orderChannel = new Client(`127.0.0.1:${order.port}`, credentials.createInsecure());
  const productChannel = new Client(`127.0.0.1:${product.port}`, credentials.createInsecure());
  const paymentChannel = new Client(`127.0.0.1:${paymentPort}`, credentials.createInsecure());
  const orderPool = new Pool({ connectionString: orderDb.url, max: 2 });
  const productPool = new Pool({ connectionString: productDb.url, max: 2 });
  // Dropping the test databases terminates backends; a client still closing then reports that as an idle error.
  for (const pool of [orderPool, productPool]) pool.on('error', () => undefined);

  function callerOf<D extends AnyDefinition>(definition: D, channel: () => Client): Caller<D> {
    const caller: Record<string, (request: unknown, settings?: CallSettings) => Promise<unknown>> = {};
    for (const [name, method] of Object.entries(definition)) {
      caller[name] = (request, settings = {}) => {
        const metadata = new Metadata();
        const bearer = settings.token === undefined ? adminToken : settings.token;
        if (bearer !== null) metadata.set('authorization', `Bearer ${bearer}`);
        return new Promise((resolve, reject) => {
          channel().makeUnaryRequest(
            method.path,
            method.requestSerialize as (value: unknown) => Buffer,
            method.responseDeserialize,
            request,
            metadata,
            { deadline: Date.now() + (settings.deadlineMs ?? 30_000) },
            (error, response) => (error ? reject(error) : resolve(response)),
          );
        });
      };
    }
    return caller as Caller<D>;
  }

  const products = callerOf(ProductServiceService, () => productChannel);
  const inventory = callerOf(InventoryServiceService, () => productChannel);

  return {
    orders: callerOf(OrderServiceService, () => orderChannel),
    products,
    inventory,
    payments: callerOf(PaymentServiceService, () => paymentChannel),
    async user(role: Role = 'CUSTOMER') {
      const userId = randomUUID();
      return { userId, role, token: await sign(userId, role) };
    },
    serviceToken: () => sign('service:order', 'SERVICE'),
    orderSql: async (sql, params = []) => (await orderPool.query(sql, params)).rows,
    productSql: async (sql, params = []) => (await productPool.query(sql, params)).rows,
    orderDatabaseUrl: orderDb.url,
    async createProduct(options = {}) {
      const { product: created } = await products.createProduct({
        product: {
          id: '',
          sku: `SKU-${randomUUID().slice(0, 12)}`,
          name: 'Order test product',
          description: 'A product made by an order test',
          price: { currencyCode: options.currency ?? 'USD', amountMinor: options.priceMinor ?? 1250n },
          category: 'testing',
          imageUrls: [],
          active: true,
        },
      });
      if (!created) throw new Error('CreateProduct returned no product');
      if ((options.stock ?? 0) > 0) {
        await inventory.adjustStock({ productId: created.id, delta: options.stock ?? 0, reason: 'test stock', requestId: randomUUID() });
      }
      if (options.active === false) return (await products.archiveProduct({ id: created.id })).product ?? created;
      return created;
    },
    async stockOf(productId) {
      const { stock } = await inventory.getStock({ productId });
      if (!stock) throw new Error('GetStock returned no stock');
      return { onHand: stock.onHand, reserved: stock.reserved, available: stock.available, sold: stock.sold };
    },
    createOrderRequest(productId, quantity, overrides = {}) {
      return { requestId: randomUUID(), items: [{ productId, quantity }], card: APPROVED_CARD, shippingAddress: ADDRESS, ...overrides };
    },
    recoverNow: () => order.recoverNow(),
    async stopPayment() {
      await payment?.running.shutdown();
      payment = undefined;
    },
    async restartPayment() {
      payment ??= await startPayment(paymentPort);
    },
    async restartOrder(env = {}) {
      orderChannel.close();
      await order.shutdown();
      order = await startOrder(env);
      orderChannel = new Client(`127.0.0.1:${order.port}`, credentials.createInsecure());
    },
    async startReplica(env = {}) {
      const replica = await startOrder(env);
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const replica of replicas) await replica.shutdown();
      orderChannel.close();
      productChannel.close();
      paymentChannel.close();
      await order.shutdown();
      await payment?.running.shutdown();
      await product.running.shutdown();
      await orderPool.end();
      await productPool.end();
      await Promise.all(databases.map((database) => database.drop()));
    },
  };
}

/** The call's failure as the platform decodes it. */
export async function failureOf(call: Promise<unknown>): Promise<RemoteError> {
  try {
    await call;
  } catch (error) {
    return parseServiceError(error as ServiceError);
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

/** Polls `check` until it returns true or the time runs out (for work finished by background timers). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
