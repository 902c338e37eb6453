import { databasePoolConfig, env, loadConfig, serviceConfigSchema } from '@shop/platform';
import { z } from 'zod';

export const configSchema = serviceConfigSchema({ port: 50054 }).extend({
  /** How long an authorization may wait for its capture. */
  AUTHORIZATION_TTL_SECONDS: env.positiveInt(7 * 24 * 3600),
  /** Added to every simulated processor call, so benchmarks can model a real provider. */
  PROCESSOR_LATENCY_MS: env.nonNegativeInt(0),
  /** How long the "slow" test card takes: longer than any caller's deadline. */
  PROCESSOR_SLOW_MS: env.positiveInt(30_000),
  /**
   * Key of the card HMAC in idempotency fingerprints. The default only suits development: production sets its
   * own, or fingerprints of equal cards are computable by anyone who reads this file.
   */
  CARD_FINGERPRINT_SECRET: z.string().min(16).default('development-only-card-fingerprint-secret'),
  /** Key that signs ListPayments page tokens. */
  PAGE_TOKEN_SECRET: z.string().min(16).default('development-only-payment-page-token-secret'),
  /** How long a duplicate request waits for the first one's result before REQUEST_IN_PROGRESS. */
  IDEMPOTENCY_WAIT_MS: env.positiveInt(5_000),
  /** After this, an unfinished request (its process died) may be taken over by a retry. */
  IDEMPOTENCY_LEASE_MS: env.positiveInt(60_000),
  /**
   * Longest a capture/void/refund waits while another movement of the same payment is in progress (movements of
   * one payment run one at a time); then ABORTED REQUEST_IN_PROGRESS.
   */
  MOVEMENT_WAIT_MS: env.positiveInt(15_000),
  ...databasePoolConfig,
});

export type PaymentServiceConfig = z.infer<typeof configSchema>;

export const loadPaymentConfig = (source: NodeJS.ProcessEnv = process.env): PaymentServiceConfig =>
  loadConfig(configSchema, source);
