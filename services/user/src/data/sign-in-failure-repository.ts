import type { SignInFailureStore, ThrottleScope } from '../domain/ports';
import type { UserDatabase } from './prisma-client';

const scopeFilter = (scope: ThrottleScope) =>
  'accountKey' in scope ? { accountKey: scope.accountKey } : { clientAddress: scope.clientAddress };

export function createSignInFailureRepository(db: UserDatabase): SignInFailureStore {
  return {
    async reserve({ accountKey, clientAddress, at }) {
      const row = await db.signInFailure.create({ data: { accountKey, clientAddress: clientAddress ?? null, createdAt: at }, select: { id: true } });
      return row.id.toString();
    },

    rank(id, scope, since) {
      return db.signInFailure.count({ where: { ...scopeFilter(scope), createdAt: { gte: since }, id: { lte: BigInt(id) } } });
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
