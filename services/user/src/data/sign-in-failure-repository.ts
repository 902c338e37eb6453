import type { SignInFailureStore, ThrottleScope } from '../domain/ports';
import type { UserDatabase } from './prisma-client';

// Arbitrary constants that keep these advisory locks apart from any other use of pg_advisory_xact_lock(int, int).
const ACCOUNT_LOCK_SPACE = 7_310_101;
const ADDRESS_LOCK_SPACE = 7_310_102;

const scopeFilter = (scope: ThrottleScope) =>
  'accountKey' in scope ? { accountKey: scope.accountKey } : { clientAddress: scope.clientAddress };

export function createSignInFailureRepository(db: UserDatabase): SignInFailureStore {
  return {
    reserve({ accountKey, clientAddress, at, since }) {
      return db.$transaction(async (tx) => {
        // Per-scope locks held to commit make insert-then-count atomic per account and address. Always account
        // first, then address, so two attempts can never wait on each other in a cycle.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACCOUNT_LOCK_SPACE}, hashtext(${accountKey}))`;
        if (clientAddress !== undefined) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADDRESS_LOCK_SPACE}, hashtext(${clientAddress}))`;
        const row = await tx.signInFailure.create({ data: { accountKey, clientAddress: clientAddress ?? null, createdAt: at }, select: { id: true } });
        const recent = { createdAt: { gte: since }, id: { lte: row.id } };
        const accountRank = await tx.signInFailure.count({ where: { accountKey, ...recent } });
        const addressRank = clientAddress === undefined ? 0 : await tx.signInFailure.count({ where: { clientAddress, ...recent } });
        return { id: row.id.toString(), accountRank, addressRank };
      });
    },

    async release(id) {
      await db.signInFailure.deleteMany({ where: { id: BigInt(id) } });
    },

    async limitingFailure(scope, since, limit) {
      const row = await db.signInFailure.findFirst({
        where: { ...scopeFilter(scope), createdAt: { gte: since } },
        orderBy: { createdAt: 'desc' },
        skip: limit - 1,
        select: { createdAt: true },
      });
      return row?.createdAt ?? null;
    },

    async clearAccount(accountKey) {
      await db.signInFailure.deleteMany({ where: { accountKey } });
    },

    async purgeBefore(before) {
      await db.signInFailure.deleteMany({ where: { createdAt: { lt: before } } });
    },
  };
}
