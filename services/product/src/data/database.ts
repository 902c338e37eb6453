import { openServiceDatabase, type DatabasePoolOptions, type ServiceDatabase } from '@shop/platform';
import { PrismaClient } from '../generated/prisma/client';
import { POOL_TYPES } from './pg-types';

/**
 * One connection pool shared by Prisma (product create/update/archive) and raw `pg` (the hot paths: product reads
 * and search, one statement each; reservations, one statement per step; stock adjustments), with no ORM overhead
 * where it is measured to matter.
 */
export type Database = ServiceDatabase<PrismaClient>;

export function openDatabase(options: Omit<DatabasePoolOptions, 'types'>): Database {
  return openServiceDatabase((adapter) => new PrismaClient({ adapter }), { ...options, types: POOL_TYPES });
}
