import type { SigningKeyRepository, StoredSigningKey } from '../security/signing-keys';
import type { Prisma } from '../generated/prisma/client';
import type { UserDatabase } from './prisma-client';

// Arbitrary constant naming the advisory lock that serialises first-start key generation across replicas.
const KEY_GENERATION_LOCK = 7_310_051;

const COLUMNS = { kid: true, algorithm: true, privateJwk: true, publicJwk: true } as const;

export function createSigningKeyRepository(db: UserDatabase): SigningKeyRepository {
  const list = (client: Pick<UserDatabase, 'signingKey'>): Promise<StoredSigningKey[]> =>
    client.signingKey.findMany({ orderBy: [{ createdAt: 'desc' }, { kid: 'asc' }], select: COLUMNS });

  return {
    list: () => list(db),
    insertIfEmpty(candidate) {
      return db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`;
        if ((await tx.signingKey.count()) === 0) {
          await tx.signingKey.create({
            data: {
              kid: candidate.kid,
              algorithm: candidate.algorithm,
              privateJwk: candidate.privateJwk as Prisma.InputJsonValue,
              publicJwk: candidate.publicJwk as Prisma.InputJsonValue,
            },
            select: { kid: true },
          });
        }
        return list(tx);
      });
    },
  };
}
