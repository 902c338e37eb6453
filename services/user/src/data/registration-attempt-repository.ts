import type { RegistrationAttemptStore } from '../domain/ports';
import type { UserDatabase } from './prisma-client';

// Arbitrary constant that keeps these advisory locks apart from any other use of pg_advisory_xact_lock(int, int)
// (the sign-in failure repository uses 7_310_101 and 7_310_102).
const ADDRESS_LOCK_SPACE = 7_310_103;

export function createRegistrationAttemptRepository(db: UserDatabase): RegistrationAttemptStore {
  return {
    reserve({ clientAddress, at, since }) {
      return db.$transaction(async (tx) => {
        // Held to commit: insert-then-count is atomic per address, so a parallel burst gets exact ranks.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADDRESS_LOCK_SPACE}, hashtext(${clientAddress}))`;
        // This address's rows older than the window are never read again. Only its own: other addresses' expired
        // rows are purgeBefore's, outside any address's lock.
        await tx.registrationAttempt.deleteMany({ where: { clientAddress, createdAt: { lt: since } } });
        const row = await tx.registrationAttempt.create({ data: { clientAddress, createdAt: at }, select: { id: true } });
        const rank = await tx.registrationAttempt.count({ where: { clientAddress, createdAt: { gte: since }, id: { lte: row.id } } });
        return { id: row.id.toString(), rank };
      });
    },

    async release(id) {
      await db.registrationAttempt.deleteMany({ where: { id: BigInt(id) } });
    },

    async purgeBefore(before) {
      await db.registrationAttempt.deleteMany({ where: { createdAt: { lt: before } } });
    },

    async limitingAttempt(clientAddress, since, limit) {
      const row = await db.registrationAttempt.findFirst({
        where: { clientAddress, createdAt: { gte: since } },
        orderBy: { createdAt: 'desc' },
        skip: limit - 1,
        select: { createdAt: true },
      });
      return row?.createdAt ?? null;
    },
  };
}
