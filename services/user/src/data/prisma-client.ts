import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type UserDatabase = PrismaClient;

export function createPrismaClient(connectionString: string): UserDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
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
