import { LeaseLostError } from '../domain/dependency-errors';
import type { OrderRecord } from '../domain/order';
import type { OrderRepository, OrderTransition } from '../domain/ports';
import { PrismaClientKnownRequestError } from '../generated/prisma/internal/prismaNamespace';
import type { OrderUpdateInput } from '../generated/prisma/models/Order';
import { ORDER_INCLUDE, toOrderRecord } from './order-mapper';
import type { OrderDatabase } from './prisma-client';

/** Orders and their saga state. Every write is fenced by the lease owner, and logged in saga_steps. */
export class PrismaOrderRepository implements OrderRepository {
  constructor(
    private readonly db: OrderDatabase,
    private readonly leaseMs: number,
  ) {}

  async get(orderId: string): Promise<OrderRecord | null> {
    if (!isUuid(orderId)) return null;
    const row = await this.db.order.findUnique({ where: { id: orderId }, include: ORDER_INCLUDE });
    return row ? toOrderRecord(row) : null;
  }

  async transition(order: OrderRecord, owner: string, change: OrderTransition): Promise<OrderRecord> {
    const now = new Date();
    const done = change.phase === 'DONE';
    const data: OrderUpdateInput = {
      updateTime: now,
      leaseOwner: done ? null : owner,
      leaseUntil: done ? null : new Date(now.getTime() + this.leaseMs),
    };
    if (change.status !== undefined) data.status = change.status;
    if (change.statusReason !== undefined) data.statusReason = change.statusReason;
    if (change.phase !== undefined) data.phase = change.phase;
    if (change.step !== undefined) data.step = change.step;
    if (change.pendingReason !== undefined) data.pendingReason = change.pendingReason;
    if (change.payment) {
      data.paymentId = change.payment.paymentId;
      data.paymentStatus = change.payment.status;
      const card = change.payment.card;
      data.cardBrand = card?.brand ?? null;
      data.cardLast4 = card?.last4 ?? null;
      data.cardExpMonth = card?.expMonth ?? null;
      data.cardExpYear = card?.expYear ?? null;
    }
    if (change.priced) {
      data.currency = change.priced.currency;
      data.totalMinor = change.priced.totalMinor;
    }

    const next: OrderRecord = {
      ...order,
      status: change.status ?? order.status,
      statusReason: change.statusReason ?? order.statusReason,
      phase: change.phase ?? order.phase,
      step: change.step ?? order.step,
      pendingReason: change.pendingReason !== undefined ? change.pendingReason : order.pendingReason,
      currency: change.priced?.currency ?? order.currency,
      totalMinor: change.priced?.totalMinor ?? order.totalMinor,
      payment: change.payment ?? order.payment,
      items: change.priced?.items ?? order.items,
      updateTime: now,
    };

    try {
      // One statement batch: the fenced update, the price snapshots and the log row commit together.
      await this.db.order.update({
        where: { id: order.id, leaseOwner: owner },
        data: {
          ...data,
          steps: { create: { phase: next.phase, step: next.step, event: change.event, detail: change.detail ?? '' } },
          ...(change.priced
            ? {
                items: {
                  update: change.priced.items.map((item) => ({
                    where: { orderId_productId: { orderId: order.id, productId: item.productId } },
                    data: { sku: item.sku, name: item.name, unitPriceMinor: item.unitPriceMinor, lineTotalMinor: item.lineTotalMinor },
                  })),
                },
              }
            : {}),
        },
        select: { id: true },
      });
    } catch (error) {
      // P2025: no row matched, i.e. another worker holds the lease now.
      if (error instanceof PrismaClientKnownRequestError && error.code === 'P2025') throw new LeaseLostError(order.id);
      throw error;
    }
    return next;
  }

  async releaseLease(orderId: string, owner: string, retryAt: Date): Promise<void> {
    await this.db.order.updateMany({ where: { id: orderId, leaseOwner: owner, phase: { not: 'DONE' } }, data: { leaseUntil: retryAt } });
  }

  async claimForCancel(orderId: string, owner: string, reason: string): Promise<OrderRecord | null> {
    const now = new Date();
    const { count } = await this.db.order.updateMany({
      where: {
        id: orderId,
        status: 'CONFIRMED',
        phase: { in: ['DONE', 'CANCELLING'] },
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
      data: {
        phase: 'CANCELLING', pendingReason: reason, leaseOwner: owner, leaseUntil: new Date(now.getTime() + this.leaseMs), updateTime: now,
      },
    });
    if (count === 0) return null;
    await this.db.sagaStepLog.create({ data: { orderId, phase: 'CANCELLING', step: 'CAPTURED', event: 'CANCEL_REQUESTED', detail: reason } });
    return this.get(orderId);
  }

  async claimStale(owner: string, limit: number): Promise<OrderRecord[]> {
    const now = new Date();
    const until = new Date(now.getTime() + this.leaseMs);
    // SKIP LOCKED: replicas claiming at the same moment take different orders instead of waiting on each other.
    const claimed = await this.db.$queryRaw<Array<{ id: string }>>`
      UPDATE orders AS o
         SET lease_owner = ${owner}, lease_until = ${until}, recovery_attempts = o.recovery_attempts + 1
        FROM (SELECT id FROM orders
               WHERE phase <> 'DONE' AND (lease_until IS NULL OR lease_until < ${now})
               ORDER BY lease_until NULLS FIRST
               LIMIT ${limit}
               FOR UPDATE SKIP LOCKED) AS c
       WHERE o.id = c.id
   RETURNING o.id::text AS id`;
    if (claimed.length === 0) return [];
    const rows = await this.db.order.findMany({ where: { id: { in: claimed.map((row) => row.id) } }, include: ORDER_INCLUDE });
    return rows.map(toOrderRecord);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);
