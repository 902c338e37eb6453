import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type PaymentDatabase = InstanceType<typeof PrismaClient>;

export function createPaymentDatabase(databaseUrl: string): PaymentDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

export async function pingDatabase(db: PaymentDatabase): Promise<boolean> {
  await db.$queryRaw`SELECT 1`;
  return true;
}
