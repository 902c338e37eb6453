import { randomUUID } from 'node:crypto';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { createLogger, createTokenVerifier, parseServiceError, type RemoteError, type RequestOf, type ResponseOf } from '@shop/platform';
import { createTestDatabase } from '@shop/platform/testing';
import { InventoryServiceService, ProductServiceService, type Product } from '@shop/proto/gen/shop/product/v1/product';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Pool } from 'pg';
import { loadProductConfig } from '../../src/config';
import { startProductService } from '../../src/service';

// Real databases and servers on a shared 2-core machine: generous per-test time, no timing assertions anywhere.
jest.setTimeout(60_000);

const ISSUER = 'test-issuer';
const AUDIENCE = 'test-audience';
const KID = 'product-test-key';

type Role = 'CUSTOMER' | 'ADMIN' | 'SERVICE';

export interface CallSettings {
  /** A bearer token; null sends none. Default: a fresh admin token (most tests arrange data as an admin). */
  token?: string | null;
}

type Caller<D> = {
  [K in keyof D]: (request: RequestOf<D[K]>, settings?: CallSettings) => Promise<ResponseOf<D[K]>>;
};

export interface Harness {
  /** The database URL, so that a second replica can be started on the same database. */
  databaseUrl: string;
  /** The service's gRPC port (127.0.0.1), for clients other than the callers below (e.g. streams). */
  port: number;
  products: Caller<typeof ProductServiceService>;
  inventory: Caller<typeof InventoryServiceService>;
  token(role: Role): Promise<string>;
  /** Runs SQL on the service's own database (for invariant checks). */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  sweepNow(): Promise<number>;
  /** Creates an active product with stock, as an admin. */
  createProduct(overrides?: Partial<Product> & { stock?: number }): Promise<Product>;
  close(): Promise<void>;
}

/**
 * A real product service on an ephemeral port over a fresh database, called through real grpc-js. With
 * `replicaOf`, a second replica on the other harness's database (which that harness owns and drops).
 */
export async function startHarness(env: Record<string, string> = {}, replicaOf?: Harness): Promise<Harness> {
  const database = replicaOf ? { url: replicaOf.databaseUrl, drop: async () => undefined } : await createTestDatabase('product');
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' };
  const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => [publicJwk] });
  const config = loadProductConfig({
    DATABASE_URL: database.url,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '2000',
    // Long by default so that only the tests that want expiry see it.
    RESERVATION_SWEEP_INTERVAL_MS: '600000',
    ...env,
  });
  const service = await startProductService(config, { logger: createLogger({ service: 'product', level: 'silent' }), verifier });
  const channel = new Client(`127.0.0.1:${service.port}`, credentials.createInsecure());
  const sql = new Pool({ connectionString: database.url, max: 2 });
  // Dropping the test database terminates backends; a client still closing then reports that as an idle error.
  sql.on('error', () => undefined);

  const token = (role: Role) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'EdDSA', kid: KID })
      .setSubject(randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);

  function callerOf<D extends Record<string, { path: string; requestSerialize(value: never): Buffer; responseDeserialize(bytes: Buffer): unknown }>>(definition: D): Caller<D> {
    const caller: Record<string, (request: unknown, settings?: CallSettings) => Promise<unknown>> = {};
    for (const [name, method] of Object.entries(definition)) {
      caller[name] = async (request, settings = {}) => {
        const metadata = new Metadata();
        const bearer = settings.token === undefined ? await token('ADMIN') : settings.token;
        if (bearer !== null) metadata.set('authorization', `Bearer ${bearer}`);
        return new Promise((resolve, reject) => {
          channel.makeUnaryRequest(
            method.path,
            method.requestSerialize as (value: unknown) => Buffer,
            method.responseDeserialize,
            request,
            metadata,
            { deadline: Date.now() + 30_000 },
            (error, response) => (error ? reject(error) : resolve(response)),
          );
        });
      };
    }
    return caller as Caller<D>;
  }

  const products = callerOf(ProductServiceService);
  const inventory = callerOf(InventoryServiceService);

  return {
    databaseUrl: database.url,
    port: service.port,
    products,
    inventory,
    token,
    async query(text, params = []) {
      return (await sql.query(text, params)).rows;
    },
    sweepNow: () => service.sweepNow(),
    async createProduct(overrides = {}) {
      const { stock = 0, ...fields } = overrides;
      const { product } = await products.createProduct({
        product: {
          id: '',
          sku: `SKU-${randomUUID().slice(0, 12)}`,
          name: 'Test product',
          description: 'A product made by a test',
          price: { currencyCode: 'USD', amountMinor: 1000n },
          category: 'testing',
          imageUrls: [],
          active: true,
          ...fields,
        },
      });
      if (!product) throw new Error('CreateProduct returned no product');
      if (stock > 0) await inventory.adjustStock({ productId: product.id, delta: stock, reason: 'test stock', requestId: '' });
      return product;
    },
    async close() {
      channel.close();
      await service.shutdown();
      await sql.end();
      await database.drop();
    },
  };
}

/** The call's failure as the platform decodes it (code, reason, metadata, field violations). */
export async function failureOf(call: Promise<unknown>): Promise<RemoteError> {
  try {
    await call;
  } catch (error) {
    return parseServiceError(error as ServiceError);
  }
  throw new Error('Expected the call to fail, but it succeeded');
}
