import { env, loadConfig } from '@shop/platform';
import { z } from 'zod';

/**
 * `trust proxy` decides which address counts as the client's (login throttling is per address), so it must be
 * set deliberately: "false" (default, the socket's peer), "true", a hop count, or a comma list of subnets.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((value): boolean | number | string[] => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    return value.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  });

export const configSchema = z.object({
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: env.port(8080),
  LOG_LEVEL: env.logLevel(),
  USER_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50051'),
  PRODUCT_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50052'),
  ORDER_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50053'),
  PAYMENT_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50054'),
  JWT_ISSUER: z.string().min(1).default('shop-user-service'),
  JWT_AUDIENCE: z.string().min(1).default('shop'),
  TRUST_PROXY: trustProxy,
  /** Deadline of an ordinary gRPC call made for one HTTP request. */
  GRPC_DEADLINE_MS: env.positiveInt(5_000),
  /** Checkout runs a saga across three services, so it gets a longer budget than a read. */
  CHECKOUT_DEADLINE_MS: env.positiveInt(15_000),
  /** /readyz must answer quickly even when a service hangs. */
  READINESS_DEADLINE_MS: env.positiveInt(1_000),
  /** Largest accepted JSON body; an order with 50 items and an address fits comfortably. */
  HTTP_BODY_LIMIT_BYTES: env.positiveInt(64 * 1024),
  /** How long in-flight HTTP requests may finish on shutdown before their connections are closed. */
  SHUTDOWN_GRACE_MS: env.positiveInt(10_000),
  /** max-age of public product reads. */
  PRODUCT_CACHE_MAX_AGE_SECONDS: env.nonNegativeInt(30),
  /**
   * Product representations the edge keeps, invalidated by the product service's change feed; 0 turns the cache
   * and the feed watcher off.
   */
  PRODUCT_CACHE_ENTRIES: env.nonNegativeInt(10_000),
  /** Longest an edge-cached product answers, a bound should an invalidation ever be missed (see ProductCache). */
  PRODUCT_CACHE_TTL_SECONDS: env.positiveInt(300),
});

export type EdgeConfig = z.infer<typeof configSchema>;

export const loadEdgeConfig = (source: NodeJS.ProcessEnv = process.env): EdgeConfig => loadConfig(configSchema, source);
