import type { RefreshTokenStore } from '../domain/ports';
import type { UserDatabase } from './prisma-client';

export function createRefreshTokenRepository(db: UserDatabase): RefreshTokenStore {
  return {
    async startFamily({ userId, tokenHash, expiresAt }) {
      await db.refreshTokenFamily.create({
        data: { userId, tokens: { create: { tokenHash: new Uint8Array(tokenHash), expiresAt } } },
        select: { id: true },
      });
    },

    async find(tokenHash) {
      const row = await db.refreshToken.findUnique({
        where: { tokenHash: new Uint8Array(tokenHash) },
        select: { id: true, familyId: true, expiresAt: true, usedAt: true, family: { select: { userId: true, revokedAt: true } } },
      });
      if (row === null) return null;
      return {
        tokenId: row.id,
        familyId: row.familyId,
        userId: row.family.userId,
        expiresAt: row.expiresAt,
        usedAt: row.usedAt,
        familyRevokedAt: row.family.revokedAt,
      };
    },

    async rotate({ tokenId, familyId, usedAt, nextTokenHash, nextExpiresAt }) {
      return db.$transaction(async (tx) => {
        // The conditional update is the compare-and-set: of two concurrent exchanges only one matches.
        const claimed = await tx.refreshToken.updateMany({
          where: { id: tokenId, usedAt: null, family: { revokedAt: null } },
          data: { usedAt },
        });
        if (claimed.count !== 1) return false;
        await tx.refreshToken.create({ data: { familyId, tokenHash: new Uint8Array(nextTokenHash), expiresAt: nextExpiresAt }, select: { id: true } });
        return true;
      });
    },

    async revokeFamily(familyId, reason, at) {
      // First revocation wins: a later logout does not overwrite the evidence of a detected reuse.
      await db.refreshTokenFamily.updateMany({ where: { id: familyId, revokedAt: null }, data: { revokedAt: at, revokeReason: reason } });
    },
  };
}
