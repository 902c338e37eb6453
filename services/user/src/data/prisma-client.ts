import { openServiceDatabase, type DatabasePoolOptions, type ServiceDatabase } from '@shop/platform';
import { PrismaClient } from '../generated/prisma/client';

export type UserDatabase = PrismaClient;

/** The user database: Prisma over the platform's one kind of `pg` pool, which this owner closes. */
export type UserDatabaseConnection = ServiceDatabase<UserDatabase>;

/** The pool's connect and statement timeouts bound every query (see createDatabasePool). */
export function openUserDatabase(options: DatabasePoolOptions): UserDatabaseConnection {
  return openServiceDatabase((adapter) => new PrismaClient({ adapter }), options);
}

/** Readiness probe: true when the database answers. */
export async function pingDatabase(db: UserDatabase): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
