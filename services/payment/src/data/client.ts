import { openServiceDatabase, type DatabasePoolOptions, type ServiceDatabase } from '@shop/platform';
import { PrismaClient } from '../generated/prisma/client';

/**
 * One connection pool shared by Prisma (schema owner; cold reads such as ListPayments) and the raw `pg` statements
 * of the hot paths (authorize, capture, void, refund, get): each of those is one SQL statement per step, with no
 * interactive transaction, because Prisma's interactive transactions cost most of this service's CPU per checkout.
 */
export type PaymentDatabase = ServiceDatabase<PrismaClient>;

/** The pool's connect and statement timeouts bound every step (see createDatabasePool). */
export function createPaymentDatabase(options: DatabasePoolOptions): PaymentDatabase {
  return openServiceDatabase((adapter) => new PrismaClient({ adapter }), options);
}
