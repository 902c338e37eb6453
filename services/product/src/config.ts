import { databasePoolConfig, env, loadConfig, serviceConfigSchema } from '@shop/platform';
import { z } from 'zod';

// Only for local runs: a deployment sets its own, or page tokens could be forged by anyone who reads this file.
const DEV_PAGE_TOKEN_SECRET = 'dev-only-product-page-token-secret-change-me';

export const configSchema = serviceConfigSchema({ port: 50052 }).extend({
  /** HMAC key of ListProducts / ListStockMovements page tokens. */
  PAGE_TOKEN_SECRET: z.string().min(16).default(DEV_PAGE_TOKEN_SECRET),
  /** How long a reservation holds stock when ReserveStock names no TTL (15 minutes). */
  RESERVATION_TTL_SECONDS: env.positiveInt(900),
  /** How often the sweeper looks for expired held reservations. */
  RESERVATION_SWEEP_INTERVAL_MS: env.positiveInt(5_000),
  /** At most this many reservations are expired per sweep (the rest wait for the next tick). */
  RESERVATION_SWEEP_BATCH: env.positiveInt(200),
  /** Seed the demo catalog at start when the product table is empty. */
  SEED_DEMO_CATALOG: env.boolean(false),
  ...databasePoolConfig,
});

export type ProductConfig = z.infer<typeof configSchema>;

export function loadProductConfig(environment: NodeJS.ProcessEnv = process.env): ProductConfig {
  return loadConfig(configSchema, environment);
}
