import type { StoredRefreshToken } from './refresh-rotation';
import type { Role, UserCursor, UserRecord } from './user';

/** What the domain needs from storage; src/data implements it with Prisma. */
export interface UserStore {
  /** 'EMAIL_TAKEN' when the normalised email is already registered (the unique index decides, not a pre-check). */
  create(input: { email: string; name: string; role: Role; passwordHash: string }): Promise<UserRecord | 'EMAIL_TAKEN'>;
  findById(id: string): Promise<UserRecord | null>;
  findCredentials(email: string): Promise<{ user: UserRecord; passwordHash: string } | null>;
  updateName(id: string, name: string): Promise<UserRecord | null>;
  setRole(id: string, role: Role): Promise<UserRecord | null>;
  /** Replaces the hash only if it is still `previousHash` (a concurrent password change wins). */
  replacePasswordHash(id: string, previousHash: string, nextHash: string): Promise<void>;
  /** Users after the cursor in (create time, id) order. */
  list(after: UserCursor | undefined, limit: number): Promise<UserRecord[]>;
}

export interface RefreshTokenStore {
  /** Starts a new family (one sign-in) with its first token. */
  startFamily(input: { userId: string; tokenHash: Buffer; expiresAt: Date }): Promise<void>;
  find(tokenHash: Buffer): Promise<StoredRefreshToken | null>;
  /**
   * Marks the token used and adds its successor, atomically. False when the token was used or its family
   * revoked in the meantime (a concurrent exchange).
   */
  rotate(input: { tokenId: string; familyId: string; usedAt: Date; nextTokenHash: Buffer; nextExpiresAt: Date }): Promise<boolean>;
  revokeFamily(familyId: string, reason: 'LOGOUT' | 'REUSE_DETECTED', at: Date): Promise<void>;
}

export type ThrottleScope = { accountKey: string } | { clientAddress: string };

export interface SignInFailureStore {
  /**
   * Counts an attempt as failed before its password is checked, so that a burst of parallel guesses cannot all
   * pass the limit check. Returns the attempt's id and how many failures of its account (and address, when
   * given) since `since` were recorded up to and including it; reservations of one scope are serialised, so
   * the ranks are exact.
   */
  reserve(input: { accountKey: string; clientAddress: string | undefined; at: Date; since: Date }): Promise<{ id: string; accountRank: number; addressRank: number }>;
  /** Forgets an attempt that turned out not to be a failure (it succeeded, or was refused unchecked). */
  release(id: string): Promise<void>;
  /** The `limit`-th newest failure of the scope since `since`, or null when there are fewer. */
  limitingFailure(scope: ThrottleScope, since: Date, limit: number): Promise<Date | null>;
  /** A successful sign-in forgives the account's earlier failures (not the address's). */
  clearAccount(accountKey: string): Promise<void>;
  purgeBefore(before: Date): Promise<void>;
}

export interface RegistrationAttemptStore {
  /**
   * Records a registration from `clientAddress` before its password is hashed, purging that address's attempts
   * older than `since`. Returns the attempt's id and how many attempts of that address since `since` were recorded up to and
   * including it; reservations of one address are serialised, so the rank is exact.
   */
  reserve(input: { clientAddress: string; at: Date; since: Date }): Promise<{ id: string; rank: number }>;
  /** Forgets an attempt that was refused unchecked or failed on our side: it must not count against the caller. */
  release(id: string): Promise<void>;
  /** The `limit`-th newest attempt of the address since `since`, or null when there are fewer. */
  limitingAttempt(clientAddress: string, since: Date, limit: number): Promise<Date | null>;
  /** Forgets every address's attempts older than `before`. */
  purgeBefore(before: Date): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the stored hash was made with other parameters than today's policy. */
  needsRehash(hash: string): boolean;
  /** Spends the time of a real verification, so unknown accounts answer as slowly as known ones. */
  verifyDummy(password: string): Promise<void>;
}

/** SERVICE tokens are issued to internal callers by the client-credentials grant, never to accounts. */
export type TokenRole = Role | 'SERVICE';

export interface AccessTokenIssuer {
  issue(subject: { userId: string; role: TokenRole }): Promise<{ token: string; expiresInSeconds: number }>;
}

export interface RefreshTokenMinter {
  mint(): { token: string; hash: Buffer };
  hash(token: string): Buffer;
}

export type Clock = () => Date;
