import type { OrderRecord } from '../domain/order';

/** The order as stored on an idempotency key: JSON with bigints tagged as strings and dates as ISO text. */
export function snapshotText(order: OrderRecord): string {
  return JSON.stringify(order, (_key, value: unknown) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value));
}

/** The stored snapshot (as `pg` parses jsonb) back into the order it was taken of. */
export function fromSnapshot(json: unknown): OrderRecord {
  const revived = JSON.parse(JSON.stringify(json), (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$bigint' in value) return BigInt((value as { $bigint: string }).$bigint);
    return value;
  }) as Omit<OrderRecord, 'createTime' | 'updateTime'> & { createTime: string; updateTime: string };
  return { ...revived, createTime: new Date(revived.createTime), updateTime: new Date(revived.updateTime) };
}
