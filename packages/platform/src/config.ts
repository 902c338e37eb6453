import { z } from 'zod';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './db/pool';

/** Thrown at start-up when the environment is not usable; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment once. Call it once per process (each service's `config.ts` does) and
 * pass the result down; nothing else reads process.env.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** Reusable pieces of the per-service schemas, so every service spells a setting the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  postgresUrl: () =>
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL'),
  /** host:port or a gRPC target such as dns:///user:50051. */
  grpcAddress: (fallback: string) => z.string().min(1).default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
};

/**
 * Settings of a service's `pg` pool (see createDatabasePool): spread into a service's schema so that every
 * service spells them the same way.
 */
export const databasePoolConfig = {
  DATABASE_POOL_SIZE: env.positiveInt(10),
  /** How long a query waits for a connection before the call fails UNAVAILABLE. */
  DATABASE_CONNECT_TIMEOUT_MS: env.positiveInt(DEFAULT_CONNECTION_TIMEOUT_MS),
  /** Longest one SQL statement may run (PostgreSQL's statement_timeout); then the call fails DEADLINE_EXCEEDED. */
  DATABASE_STATEMENT_TIMEOUT_MS: env.positiveInt(DEFAULT_STATEMENT_TIMEOUT_MS),
  /** How long an unused connection stays open in the pool before it is closed. */
  DATABASE_IDLE_TIMEOUT_MS: env.positiveInt(DEFAULT_IDLE_TIMEOUT_MS),
};

/** Settings every gRPC service has. */
export const serviceConfigSchema = (defaults: { port: number }) =>
  z.object({
    GRPC_HOST: z.string().default('0.0.0.0'),
    GRPC_PORT: env.port(defaults.port),
    DATABASE_URL: env.postgresUrl(),
    LOG_LEVEL: env.logLevel(),
    /** How long a graceful shutdown waits for in-flight calls before cancelling them. */
    SHUTDOWN_GRACE_MS: env.positiveInt(10_000),
    /** Where peers find the user service's signing keys (every service verifies tokens itself). */
    USER_SERVICE_ADDRESS: env.grpcAddress('127.0.0.1:50051'),
    JWT_ISSUER: z.string().default('shop-user-service'),
    JWT_AUDIENCE: z.string().default('shop'),
  });

export type ServiceConfig = z.infer<ReturnType<typeof serviceConfigSchema>>;
