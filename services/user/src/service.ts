import { createLogger, createTokenVerifier, startGrpcServer, type Logger } from '@shop/platform';
import type { UserServiceConfig } from './config';
import { openUserDatabase, pingDatabase, type UserDatabase } from './data/prisma-client';
import { createRefreshTokenRepository } from './data/refresh-token-repository';
import { createRegistrationAttemptRepository } from './data/registration-attempt-repository';
import { createSignInFailureRepository } from './data/sign-in-failure-repository';
import { createSigningKeyRepository } from './data/signing-key-repository';
import { createUserRepository } from './data/user-repository';
import { AccountService } from './domain/account-service';
import { ensureAdminAccount } from './domain/admin-bootstrap';
import { AuthService } from './domain/auth-service';
import { ServiceClientAuthenticator } from './domain/service-clients';
import { createUserPageTokens } from './domain/pagination';
import { userServiceRegistration } from './grpc/user-service-handlers';
import { createAccessTokenIssuer } from './security/access-token-issuer';
import { createArgon2Hasher } from './security/password-hasher';
import { refreshTokenMinter } from './security/refresh-token-minter';
import { loadSigningKeys, type SigningKeySource } from './security/signing-keys';

export interface RunningUserService {
  port: number;
  shutdown(): Promise<void>;
}

function signingKeySource(config: UserServiceConfig, db: UserDatabase): SigningKeySource {
  if (config.JWT_PRIVATE_KEY_JWK) return { kind: 'jwk', json: config.JWT_PRIVATE_KEY_JWK, kid: config.JWT_KEY_ID };
  if (config.JWT_PRIVATE_KEY_PEM) return { kind: 'pem', pem: config.JWT_PRIVATE_KEY_PEM, kid: config.JWT_KEY_ID };
  return { kind: 'database', repository: createSigningKeyRepository(db) };
}

export async function startUserService(config: UserServiceConfig, options: { logger?: Logger } = {}): Promise<RunningUserService> {
  const logger = options.logger ?? createLogger({ service: 'user', level: config.LOG_LEVEL });
  const database = openUserDatabase({
    connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, logger,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
  });
  const db = database.prisma;
  try {
    const keys = await loadSigningKeys(signingKeySource(config, db));
    const users = createUserRepository(db);
    const accessTokens = createAccessTokenIssuer(keys, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const serviceClients = new ServiceClientAuthenticator(config.SERVICE_CREDENTIALS, accessTokens);
    const auth = new AuthService({
      users,
      refreshTokens: createRefreshTokenRepository(db),
      failures: createSignInFailureRepository(db),
      hasher: await createArgon2Hasher(),
      accessTokens,
      refreshMinter: refreshTokenMinter,
      throttle: {
        windowSeconds: config.SIGN_IN_WINDOW_SECONDS,
        maxFailuresPerAccount: config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerAddress: config.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
      },
      registrations: createRegistrationAttemptRepository(db),
      registrationLimit: { windowSeconds: config.REGISTRATION_WINDOW_SECONDS, maxPerAddress: config.REGISTRATION_MAX_PER_ADDRESS },
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    });
    const accounts = new AccountService(users, createUserPageTokens(keys.deriveSecret('page-tokens')));

    if (config.ADMIN_EMAIL !== undefined && config.ADMIN_PASSWORD !== undefined) {
      const admin = await ensureAdminAccount({ auth, users }, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, name: config.ADMIN_NAME });
      logger.info({ userId: admin.user.id, email: admin.user.email, created: admin.created }, 'admin account ensured');
    }

    // The service verifies tokens with its own keys: no call to itself.
    const verifier = createTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      keys: async () => keys.publicJwks.map((key) => ({ ...key })),
    });

    const server = await startGrpcServer({
      serviceName: 'user',
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [userServiceRegistration({ auth, accounts, keys, serviceClients })],
      logger,
      verifier,
      readiness: () => pingDatabase(db),
      onShutdown: () => database.close(),
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    });
    logger.info({ kid: keys.signer.kid }, 'user service started');
    return { port: server.port, shutdown: () => server.shutdown() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
