import { alreadyExists, invalidArgument, resourceExhausted, unauthenticated } from '@shop/platform';
import { EMAIL_MAX_LENGTH, normaliseEmail, validateEmail, validateName, validatePasswordForSignIn, validatePasswordLength } from './credentials';
import type { AccessTokenIssuer, Clock, PasswordHasher, RefreshTokenMinter, RefreshTokenStore, RegistrationAttemptStore, SignInFailureStore, UserStore } from './ports';
import { judgeRefreshToken } from './refresh-rotation';
import { clientLimitKey } from './client-address';
import { decideThrottle, type ThrottlePolicy } from './sign-in-throttle';
import type { Role, UserRecord } from './user';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export interface AuthServiceDeps {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  failures: SignInFailureStore;
  hasher: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  refreshMinter: RefreshTokenMinter;
  throttle: ThrottlePolicy;
  registrations: RegistrationAttemptStore;
  registrationLimit: RegistrationLimit;
  refreshTokenTtlSeconds: number;
  clock?: Clock;
}

/** At most `maxPerAddress` registrations from one client address within `windowSeconds`. */
export interface RegistrationLimit {
  windowSeconds: number;
  maxPerAddress: number;
}

// One message for unknown email and wrong password, so the answer does not reveal which accounts exist.
const BAD_CREDENTIALS = 'Invalid email or password';
const BAD_REFRESH = 'Refresh token is invalid or expired';
const TOKEN_MAX_LENGTH = 512;
/** ErrorInfo reason of a duplicate registration. */
export const EMAIL_TAKEN = 'EMAIL_TAKEN';

export class AuthService {
  private readonly clock: Clock;

  constructor(private readonly deps: AuthServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * With a client address (a registration through the edge), at most registrationLimit.maxPerAddress within its
   * window, counted whatever their outcome but a failure on our side: each costs a password hash, and an address
   * creating accounts in bulk is what the limit is for. Without one (a direct caller, e.g. the admin bootstrap)
   * there is no limit.
   */
  async register(input: { email: string; password: string; name: string; clientAddress?: string }, role: Role = 'CUSTOMER'): Promise<UserRecord> {
    validatePasswordLength(input.password);
    const email = validateEmail(input.email);
    const name = validateName(input.name);
    const clientAddress = limitKeyOf(input.clientAddress);
    const attemptId = clientAddress === undefined ? undefined : await this.admitRegistration(clientAddress);
    let created: Awaited<ReturnType<UserStore['create']>>;
    try {
      const passwordHash = await this.deps.hasher.hash(input.password);
      created = await this.deps.users.create({ email, name, role, passwordHash });
    } catch (error) {
      // Our failure, not the caller's: it must not count against their address.
      if (attemptId !== undefined) await this.deps.registrations.release(attemptId).catch(() => undefined);
      throw error;
    }
    if (attemptId !== undefined) {
      // Addresses that never come back leave rows behind; registrations are rare enough to sweep them here. Only
      // housekeeping: its failure must not fail (or count against) a registration that is done.
      void this.deps.registrations.purgeBefore(this.registrationWindowStart(this.clock())).catch(() => undefined);
    }
    if (created === 'EMAIL_TAKEN') throw alreadyExists('An account with this email already exists', EMAIL_TAKEN);
    return created;
  }

  async authenticate(input: { email: string; password: string; clientAddress?: string }): Promise<{ user: UserRecord; tokens: TokenPair }> {
    validatePasswordForSignIn(input.password);
    const accountKey = normaliseEmail(input.email);
    if (accountKey.length === 0 || input.password.length === 0) {
      throw invalidArgument('Email and password are required', [
        ...(accountKey.length === 0 ? [{ field: 'email', description: 'must not be empty' }] : []),
        ...(input.password.length === 0 ? [{ field: 'password', description: 'must not be empty' }] : []),
      ]);
    }
    if (accountKey.length > EMAIL_MAX_LENGTH) throw invalidArgument('Email is not valid', [{ field: 'email', description: 'must be an email address' }]);
    const clientAddress = limitKeyOf(input.clientAddress);
    const attemptId = await this.admitAttempt(accountKey, clientAddress);

    let credentials: Awaited<ReturnType<UserStore['findCredentials']>>;
    let valid = false;
    try {
      credentials = await this.deps.users.findCredentials(accountKey);
      if (credentials === null) await this.deps.hasher.verifyDummy(input.password);
      else valid = await this.deps.hasher.verify(credentials.passwordHash, input.password);
    } catch (error) {
      // Our failure, not the caller's: it must not count against them.
      await this.deps.failures.release(attemptId).catch(() => undefined);
      throw error;
    }
    if (credentials === null || !valid) {
      // The reserved attempt stays recorded: that is the failure.
      await this.deps.failures.purgeBefore(this.windowStart(this.clock()));
      throw unauthenticated(BAD_CREDENTIALS);
    }
    await this.deps.failures.release(attemptId);
    await this.deps.failures.clearAccount(accountKey);
    await this.upgradeHash(credentials.user.id, credentials.passwordHash, input.password);
    const tokens = await this.startSession(credentials.user);
    return { user: credentials.user, tokens };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    if (refreshToken.length === 0 || refreshToken.length > TOKEN_MAX_LENGTH) throw unauthenticated(BAD_REFRESH);
    const now = this.clock();
    const stored = await this.deps.refreshTokens.find(this.deps.refreshMinter.hash(refreshToken));
    const verdict = judgeRefreshToken(stored, now);
    if (stored === null || verdict.kind === 'reject') throw unauthenticated(BAD_REFRESH);
    if (verdict.kind === 'reuse') {
      await this.deps.refreshTokens.revokeFamily(stored.familyId, 'REUSE_DETECTED', now);
      throw unauthenticated(BAD_REFRESH);
    }
    // The role is read again so that a role change reaches the next access token.
    const user = await this.deps.users.findById(stored.userId);
    if (user === null) throw unauthenticated(BAD_REFRESH);
    const next = this.deps.refreshMinter.mint();
    const rotated = await this.deps.refreshTokens.rotate({
      tokenId: stored.tokenId,
      familyId: stored.familyId,
      usedAt: now,
      nextTokenHash: next.hash,
      nextExpiresAt: this.refreshExpiry(now),
    });
    if (!rotated) {
      // Lost a race with another exchange of the same token: one of the two holders is not the owner.
      await this.deps.refreshTokens.revokeFamily(stored.familyId, 'REUSE_DETECTED', now);
      throw unauthenticated(BAD_REFRESH);
    }
    const access = await this.deps.accessTokens.issue({ userId: user.id, role: user.role });
    return { accessToken: access.token, refreshToken: next.token, expiresInSeconds: access.expiresInSeconds };
  }

  /** Idempotent: an unknown or already revoked token is not an error, so logout never fails for the client. */
  async logout(refreshToken: string): Promise<void> {
    if (refreshToken.length === 0 || refreshToken.length > TOKEN_MAX_LENGTH) return;
    const stored = await this.deps.refreshTokens.find(this.deps.refreshMinter.hash(refreshToken));
    if (stored === null || stored.familyRevokedAt !== null) return;
    await this.deps.refreshTokens.revokeFamily(stored.familyId, 'LOGOUT', this.clock());
  }

  /** The plain password is only at hand at sign-in: that is when hashes made under an older policy are renewed. */
  private async upgradeHash(userId: string, storedHash: string, password: string): Promise<void> {
    if (!this.deps.hasher.needsRehash(storedHash)) return;
    await this.deps.users.replacePasswordHash(userId, storedHash, await this.deps.hasher.hash(password));
  }

  private async startSession(user: UserRecord): Promise<TokenPair> {
    const refresh = this.deps.refreshMinter.mint();
    await this.deps.refreshTokens.startFamily({ userId: user.id, tokenHash: refresh.hash, expiresAt: this.refreshExpiry(this.clock()) });
    const access = await this.deps.accessTokens.issue({ userId: user.id, role: user.role });
    return { accessToken: access.token, refreshToken: refresh.token, expiresInSeconds: access.expiresInSeconds };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.deps.refreshTokenTtlSeconds * 1000);
  }

  private windowStart(now: Date): Date {
    return new Date(now.getTime() - this.deps.throttle.windowSeconds * 1000);
  }

  /**
   * Records the attempt as a failure up front and lets it through only if it is within the limits counting
   * everything recorded before it. Checking first and recording after the hash would let a burst of parallel
   * guesses all pass the check.
   */
  private async admitAttempt(accountKey: string, clientAddress: string | undefined): Promise<string> {
    const { maxFailuresPerAccount, maxFailuresPerAddress } = this.deps.throttle;
    // Cheap refusal without writing anything while a scope is already over its limit.
    await this.assertNotThrottled(accountKey, clientAddress);
    const now = this.clock();
    const since = this.windowStart(now);
    const attempt = await this.deps.failures.reserve({ accountKey, clientAddress, at: now, since });
    const { accountRank, addressRank } = attempt;
    if (accountRank <= maxFailuresPerAccount && addressRank <= maxFailuresPerAddress) return attempt.id;
    // Refused unchecked, so it is not a failure: it must not extend the lockout.
    await this.deps.failures.release(attempt.id);
    await this.assertNotThrottled(accountKey, clientAddress);
    // The attempts ahead of this one were released meanwhile (they succeeded); still refuse this one, briefly.
    throw tooManyAttempts(1);
  }

  /** Records the registration up front (a parallel burst cannot all pass a check made first) and refuses it over the limit. */
  private async admitRegistration(clientAddress: string): Promise<string> {
    const { maxPerAddress } = this.deps.registrationLimit;
    // Cheap refusal without writing anything while the address is already over its limit.
    await this.assertRegistrationAllowed(clientAddress);
    const now = this.clock();
    const attempt = await this.deps.registrations.reserve({ clientAddress, at: now, since: this.registrationWindowStart(now) });
    if (attempt.rank <= maxPerAddress) return attempt.id;
    // Refused unchecked: it must not extend the address's wait.
    await this.deps.registrations.release(attempt.id);
    await this.assertRegistrationAllowed(clientAddress);
    // The attempts ahead of this one were released meanwhile (our failures); still refuse this one, briefly.
    throw tooManyRegistrations(1);
  }

  private async assertRegistrationAllowed(clientAddress: string): Promise<void> {
    const { windowSeconds, maxPerAddress } = this.deps.registrationLimit;
    const now = this.clock();
    const limiting = await this.deps.registrations.limitingAttempt(clientAddress, this.registrationWindowStart(now), maxPerAddress);
    const decision = decideThrottle([limiting], windowSeconds, now);
    if (!decision.allowed) throw tooManyRegistrations(decision.retryAfterSeconds);
  }

  private registrationWindowStart(now: Date): Date {
    return new Date(now.getTime() - this.deps.registrationLimit.windowSeconds * 1000);
  }

  private async assertNotThrottled(accountKey: string, clientAddress: string | undefined): Promise<void> {
    const { windowSeconds, maxFailuresPerAccount, maxFailuresPerAddress } = this.deps.throttle;
    const now = this.clock();
    const since = this.windowStart(now);
    const [byAccount, byAddress] = await Promise.all([
      this.deps.failures.limitingFailure({ accountKey }, since, maxFailuresPerAccount),
      // Without an address (a direct gRPC caller) only the account limit applies.
      clientAddress === undefined ? Promise.resolve(null) : this.deps.failures.limitingFailure({ clientAddress }, since, maxFailuresPerAddress),
    ]);
    const decision = decideThrottle([byAccount, byAddress], windowSeconds, now);
    if (!decision.allowed) throw tooManyAttempts(decision.retryAfterSeconds);
  }
}

/** The key of a caller's address for the limits; none (no limit by address) for a caller that sent none. */
const limitKeyOf = (address: string | undefined): string | undefined => (address?.trim() ? clientLimitKey(address) : undefined);

const tooManyRegistrations = (retryAfterSeconds: number) =>
  resourceExhausted('TOO_MANY_ATTEMPTS', 'Too many accounts registered from this address; try again later', retryAfterSeconds);

const tooManyAttempts = (retryAfterSeconds: number) =>
  resourceExhausted('TOO_MANY_ATTEMPTS', 'Too many failed sign-in attempts; try again later', retryAfterSeconds);
