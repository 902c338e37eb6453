import { PrismaPg } from '@prisma/adapter-pg';

/** The one way services hand a connection to their generated PrismaClient (`new PrismaClient({ adapter })`). */
export function createPrismaAdapter(connectionString: string): PrismaPg {
  return new PrismaPg({ connectionString });
}
