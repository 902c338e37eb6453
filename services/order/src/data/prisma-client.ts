import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type OrderDatabase = PrismaClient;

/** The service's one PrismaClient; `poolSize` bounds this process's connections. */
export function createOrderDatabase(connectionString: string, poolSize: number): OrderDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}

export async function pingDatabase(db: OrderDatabase): Promise<boolean> {
  await db.$queryRaw`SELECT 1`;
  return true;
}

/** Interactive transactions wait for a pooled connection under load rather than failing after Prisma's 2 s default. */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
