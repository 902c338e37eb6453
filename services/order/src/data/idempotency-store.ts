import type { BeginResult, IdempotencyStore, StoredKey, StoredOutcome } from '../domain/idempotency';
import type { OrderRecord } from '../domain/order';
import type { NewOrder } from '../domain/ports';
import type { InputJsonObject } from '../generated/prisma/internal/prismaNamespace';
import type { IdempotencyKeyModel, IdempotencyKeyUpdateManyMutationInput } from '../generated/prisma/models/IdempotencyKey';
import { ORDER_INCLUDE, toOrderRecord } from './order-mapper';
import { fromSnapshot, toSnapshot } from './order-snapshot';
import { TRANSACTION_OPTIONS, type OrderDatabase } from './prisma-client';

interface ErrorDetails {
  reason?: string;
  metadata?: Record<string, string>;
  fieldViolations?: Array<{ field: string; description: string }>;
}

/** CreateOrder's idempotency keys, in the same database (and transaction) as the order they start. */
export class PrismaIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: OrderDatabase) {}

  async begin(
    key: { userId: string; requestId: string; fingerprint: string; expiresAt: Date },
    order: NewOrder,
    lease: { owner: string; until: Date },
  ): Promise<BeginResult> {
    return this.db.$transaction(async (tx): Promise<BeginResult> => {
      await tx.idempotencyKey.deleteMany({ where: { userId: key.userId, requestId: key.requestId, expiresAt: { lt: new Date() }, state: 'COMPLETED' } });
      // ON CONFLICT DO NOTHING: a concurrent holder of the key makes this wait for its commit, then insert nothing.
      const { count } = await tx.idempotencyKey.createMany({
        data: [{ userId: key.userId, requestId: key.requestId, fingerprint: key.fingerprint, orderId: order.id, expiresAt: key.expiresAt }],
        skipDuplicates: true,
      });
      if (count === 0) {
        const existing = await tx.idempotencyKey.findUniqueOrThrow({ where: { userId_requestId: { userId: key.userId, requestId: key.requestId } } });
        return { kind: 'existing', key: toStoredKey(existing) };
      }
      const row = await tx.order.create({
        data: {
          id: order.id,
          userId: order.userId,
          shipName: order.shipping.name,
          shipLine1: order.shipping.line1,
          shipLine2: order.shipping.line2,
          shipCity: order.shipping.city,
          shipPostalCode: order.shipping.postalCode,
          shipCountry: order.shipping.country,
          leaseOwner: lease.owner,
          leaseUntil: lease.until,
          items: { create: order.items.map((item, position) => ({ productId: item.productId, quantity: item.quantity, position })) },
          steps: { create: [{ phase: 'FORWARD', step: 'CREATED', event: 'CREATED' }] },
        },
        include: ORDER_INCLUDE,
      });
      return { kind: 'started', order: toOrderRecord(row) };
    }, TRANSACTION_OPTIONS);
  }

  async complete(orderId: string, outcome: StoredOutcome): Promise<void> {
    const data: IdempotencyKeyUpdateManyMutationInput =
      outcome.kind === 'order'
        ? { state: 'COMPLETED', resultCode: 0, resultOrder: toSnapshot(outcome.order) as InputJsonObject }
        : {
            state: 'COMPLETED',
            resultCode: outcome.code,
            errorMessage: outcome.message,
            errorDetails: { ...(outcome.reason ? { reason: outcome.reason } : {}), metadata: outcome.metadata, fieldViolations: outcome.fieldViolations },
          };
    await this.db.idempotencyKey.updateMany({ where: { orderId, state: 'IN_PROGRESS' }, data });
  }

  async discard(orderId: string): Promise<void> {
    await this.db.idempotencyKey.deleteMany({ where: { orderId, state: 'IN_PROGRESS' } });
  }

  async deleteExpired(now: Date): Promise<number> {
    // In-progress keys stay until their order is finished, however old, so that no answer is lost.
    const { count } = await this.db.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now }, state: 'COMPLETED' } });
    return count;
  }
}

function toStoredKey(row: IdempotencyKeyModel): StoredKey {
  return { fingerprint: row.fingerprint, orderId: row.orderId, state: row.state, outcome: row.state === 'COMPLETED' ? toOutcome(row) : null };
}

function toOutcome(row: IdempotencyKeyModel): StoredOutcome | null {
  if (row.resultCode === 0 && row.resultOrder !== null) return { kind: 'order', order: fromSnapshot(row.resultOrder) as OrderRecord };
  if (row.resultCode === null) return null;
  const details = (row.errorDetails ?? {}) as ErrorDetails;
  return {
    kind: 'error',
    code: row.resultCode,
    message: row.errorMessage ?? '',
    reason: details.reason,
    metadata: details.metadata ?? {},
    fieldViolations: details.fieldViolations ?? [],
  };
}
