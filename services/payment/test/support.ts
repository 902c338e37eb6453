import { randomUUID } from 'node:crypto';
import { credentials, Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { createLogger, createTokenVerifier, parseServiceError, type RemoteError, type RequestOf, type ResponseOf } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Client as PgClient } from 'pg';
import { loadPaymentConfig } from '../src/config';
import { startPaymentService, type RunningPaymentService } from '../src/service';

const ISSUER = 'test-issuer';
const AUDIENCE = 'test-audience';
const KID = 'test-key';

type Methods = typeof PaymentServiceService;
export interface CallSettings {
  /** A bearer token; null sends none. Default: a fresh SERVICE token, as the order service sends. */
  token?: string | null;
  deadlineMs?: number;
  /** Sent as x-request-id: the server's log lines for this call carry it (see Harness.answered). */
  callId?: string;
}
export type PaymentCaller = {
  [K in keyof Methods]: (request: RequestOf<Methods[K]>, settings?: CallSettings) => Promise<ResponseOf<Methods[K]>>;
};

export interface Harness {
  payments: PaymentCaller;
  /**
   * Another replica of the service over the same database, with its own settings (e.g. a processor that never
   * answers in time), as when a caller's retry lands on another instance. Shut down with the harness; its log
   * lines join the harness's.
   */
  replica(env: Record<string, string>): Promise<PaymentCaller>;
  /** Every log line the service wrote, as written. */
  logText(): string;
  /**
   * Whether the server has answered the call sent with this callId (its "rpc" or "rpc failed" log line, written
   * once the handler finished, after everything it wrote to the database), waiting up to waitMs for it.
   */
  answered(callId: string, waitMs?: number): Promise<boolean>;
  /** Runs SQL on the service's database. */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  token(role?: 'CUSTOMER' | 'ADMIN' | 'SERVICE', overrides?: { issuer?: string; expiresIn?: string }): Promise<string>;
  close(): Promise<void>;
}

/** A real payment service on an ephemeral port over its own fresh database, and a real grpc-js client. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase('payment');
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' };
  const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => [publicJwk] });

  const lines: string[] = [];
  const logger = createLogger({ service: 'payment', level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  const baseEnv = {
    DATABASE_URL: database.url,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    SHUTDOWN_GRACE_MS: '2000',
  };
  const config = loadPaymentConfig({ ...baseEnv, ...env });
  const service = await startPaymentService(config, { logger, verifier });
  const replicas: Array<{ service: RunningPaymentService; channel: Client }> = [];
  const channel = new Client(`127.0.0.1:${service.port}`, credentials.createInsecure());
  const sql = new PgClient({ connectionString: database.url });
  await sql.connect();

  const token = (role: 'CUSTOMER' | 'ADMIN' | 'SERVICE' = 'SERVICE', overrides: { issuer?: string; expiresIn?: string } = {}) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'EdDSA', kid: KID })
      .setSubject(randomUUID())
      .setIssuer(overrides.issuer ?? ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(overrides.expiresIn ?? '5m')
      .setJti(randomUUID())
      .sign(privateKey);

  const callerOver = (target: Client): PaymentCaller => {
    const payments = {} as Record<string, (request: unknown, settings?: CallSettings) => Promise<unknown>>;
    for (const [name, method] of Object.entries(PaymentServiceService)) {
      payments[name] = async (request, settings = {}) => {
        const metadata = new Metadata();
        const bearer = settings.token === undefined ? await token() : settings.token;
        if (bearer !== null) metadata.set('authorization', `Bearer ${bearer}`);
        if (settings.callId !== undefined) metadata.set('x-request-id', settings.callId);
        return new Promise((resolve, reject) => {
          target.makeUnaryRequest(
            method.path,
            method.requestSerialize as (value: unknown) => Buffer,
            method.responseDeserialize as (bytes: Buffer) => unknown,
            request,
            metadata,
            { deadline: Date.now() + (settings.deadlineMs ?? 10_000) },
            (error, response) => (error ? reject(error) : resolve(response)),
          );
        });
      };
    }
    return payments as unknown as PaymentCaller;
  };

  const hasAnswered = (callId: string) =>
    lines.some((line) => {
      const entry = JSON.parse(line) as { request_id?: string; msg?: string };
      return entry.request_id === callId && /^rpc( failed|$)/.test(entry.msg ?? '');
    });

  return {
    payments: callerOver(channel),
    async replica(replicaEnv) {
      const replica = await startPaymentService(loadPaymentConfig({ ...baseEnv, ...replicaEnv }), { logger, verifier });
      const replicaChannel = new Client(`127.0.0.1:${replica.port}`, credentials.createInsecure());
      replicas.push({ service: replica, channel: replicaChannel });
      return callerOver(replicaChannel);
    },
    logText: () => lines.join(''),
    async answered(callId, waitMs = 10_000) {
      for (const until = Date.now() + waitMs; !hasAnswered(callId); ) {
        if (Date.now() > until) return false;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return true;
    },
    query: async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => (await sql.query<T>(text, params)).rows,
    token,
    async close() {
      channel.close();
      for (const replica of replicas) replica.channel.close();
      await sql.end();
      await Promise.all(replicas.map((replica) => replica.service.shutdown()));
      await service.shutdown();
      await database.drop();
    },
  };
}

/** Awaits a call that must fail, and returns its decoded status. */
export async function failure(call: Promise<unknown>): Promise<RemoteError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof (error as ServiceError).code === 'number') {
      return parseServiceError(error as ServiceError);
    }
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export { status };

export const TEST_CARD = {
  approve: '4242424242424242',
  cardDeclined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  transientFailure: '4000000000000119',
  slow: '4000000000000259',
  /** Luhn-valid, not a test card: approves. */
  otherMastercard: '5555555555554444',
} as const;

const nextYear = new Date().getUTCFullYear() + 1;

export const card = (number: string = TEST_CARD.approve, cvc = '737') => ({ number, expMonth: 12, expYear: nextYear, cvc });

export const usd = (amountMinor: bigint) => ({ currencyCode: 'USD', amountMinor });

/** A request id nobody else uses. */
export const rid = (label = 'req') => `${label}-${randomUUID()}`;

export const authorizeRequest = (overrides: { orderId?: string; amountMinor?: bigint; cardNumber?: string; cvc?: string; requestId?: string } = {}) => ({
  requestId: overrides.requestId ?? rid('auth'),
  orderId: overrides.orderId ?? `order-${randomUUID()}`,
  amount: usd(overrides.amountMinor ?? 10_000n),
  card: card(overrides.cardNumber, overrides.cvc),
});

/** Polls `probe` until it returns a value (not undefined), for state another call creates while it runs. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}
