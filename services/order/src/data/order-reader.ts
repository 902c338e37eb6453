import type { OrderCursor, OrderPage, OrderReader } from '../domain/order-queries';
import type { OrderStatus } from '../domain/order';
import type { PrismaClient } from '../generated/prisma/client';
import type { OrderWhereInput } from '../generated/prisma/models/Order';
import { ORDER_INCLUDE, toOrderRecord } from './order-mapper';

/**
 * Newest-first listings with keyset pagination on (create_time, id), served by the *_newest_idx indexes.
 * Not on the checkout path, so it stays on Prisma.
 */
export class PrismaOrderReader implements OrderReader {
  constructor(private readonly db: PrismaClient) {}

  listByUser(userId: string, limit: number, after: OrderCursor | undefined): Promise<OrderPage> {
    return this.page({ userId }, limit, after);
  }

  listAll(status: OrderStatus | undefined, limit: number, after: OrderCursor | undefined): Promise<OrderPage> {
    return this.page(status ? { status } : {}, limit, after);
  }

  private async page(filter: OrderWhereInput, limit: number, after: OrderCursor | undefined): Promise<OrderPage> {
    const where: OrderWhereInput = after
      ? {
          AND: [
            filter,
            { OR: [{ createTime: { lt: new Date(after.createTime) } }, { createTime: new Date(after.createTime), id: { lt: after.id } }] },
          ],
        }
      : filter;
    const rows = await this.db.order.findMany({
      where,
      include: ORDER_INCLUDE,
      orderBy: [{ createTime: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    const orders = rows.slice(0, limit).map(toOrderRecord);
    const last = orders[orders.length - 1];
    const next = rows.length > limit && last ? { createTime: last.createTime.toISOString(), id: last.id } : undefined;
    return { orders, next };
  }
}
