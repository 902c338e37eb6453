import { databasePoolConfig, env, loadConfig, serviceConfigSchema } from '@shop/platform';
import { z } from 'zod';
import { parseServiceCredentials } from './domain/service-clients';

const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

export const configSchema = serviceConfigSchema({ port: 50051 })
  .extend({
    /** Lifetime of access tokens; short, because they cannot be revoked before they expire. */
    ACCESS_TOKEN_TTL_SECONDS: env.positiveInt(900),
    REFRESH_TOKEN_TTL_SECONDS: env.positiveInt(30 * 24 * 3600),
    /** Ed25519 private key as a JWK (JSON) or PKCS#8 PEM. Absent: a key is generated once and kept in the database. */
    JWT_PRIVATE_KEY_JWK: optionalSecret,
    JWT_PRIVATE_KEY_PEM: optionalSecret,
    /** kid for a configured key; defaults to its RFC 7638 thumbprint. */
    JWT_KEY_ID: optionalSecret,
    SIGN_IN_WINDOW_SECONDS: env.positiveInt(15 * 60),
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: env.positiveInt(5),
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: env.positiveInt(20),
    /**
     * Registrations per client address (as the edge saw it) and window, successful or not. Generous, since many
     * people can share an address (offices, carrier NAT): it stops bulk account creation and the password-hash
     * load it brings, not a household.
     */
    REGISTRATION_WINDOW_SECONDS: env.positiveInt(3600),
    REGISTRATION_MAX_PER_ADDRESS: env.positiveInt(50),
    /** Development convenience: ensure this admin account exists at start. */
    ADMIN_EMAIL: optionalSecret,
    ADMIN_PASSWORD: optionalSecret,
    ADMIN_NAME: z.string().default('Administrator'),
    /**
     * Internal callers allowed the client-credentials grant, "<client id>:<secret>,...". The default serves local
     * development only; deployments set their own secrets (and the order service's SERVICE_CLIENT_SECRET).
     */
    SERVICE_CREDENTIALS: z
      .string()
      .default('order:dev-order-service-secret')
      .transform((raw, ctx) => {
        try {
          return parseServiceCredentials(raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    ...databasePoolConfig,
  })
  .refine((config) => !(config.JWT_PRIVATE_KEY_JWK && config.JWT_PRIVATE_KEY_PEM), {
    message: 'set JWT_PRIVATE_KEY_JWK or JWT_PRIVATE_KEY_PEM, not both',
    path: ['JWT_PRIVATE_KEY_JWK'],
  })
  .refine((config) => (config.ADMIN_EMAIL === undefined) === (config.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
    path: ['ADMIN_PASSWORD'],
  });

export type UserServiceConfig = z.infer<typeof configSchema>;

export const loadUserConfig = (source: NodeJS.ProcessEnv = process.env): UserServiceConfig => loadConfig(configSchema, source);
