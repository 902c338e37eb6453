/** What the store knows about a presented refresh token. */
export interface StoredRefreshToken {
  tokenId: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  familyRevokedAt: Date | null;
}

export type RefreshVerdict =
  | { kind: 'rotate' }
  /** Theft signal: a token that was already exchanged is presented again. */
  | { kind: 'reuse' }
  | { kind: 'reject' };

export function judgeRefreshToken(token: StoredRefreshToken | null, now: Date): RefreshVerdict {
  if (token === null || token.familyRevokedAt !== null) return { kind: 'reject' };
  if (token.usedAt !== null) return { kind: 'reuse' };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'reject' };
  return { kind: 'rotate' };
}
