import { randomUUID } from 'node:crypto';
import { movementToJson, stockToJson } from '../mappers/products';
import { defineRoute, type Route } from '../registry/route';
import { IdParams } from '../schemas/common';
import { AdjustStockBody, AdjustStockResponse, StockIdempotencyKeyHeader, StockLevelSchema } from '../schemas/products';
import { validateHeader } from '../http/validate';
import type { RouteDeps } from './deps';

export function stockRoutes({ clients }: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/admin/products/{id}/stock', operationId: 'getStock', tags: ['admin', 'inventory'], auth: 'admin',
      summary: 'Stock level of a product',
      params: IdParams,
      response: { status: 200, description: 'On hand, reserved, available and sold', schema: StockLevelSchema },
      errors: [404],
      handler: async ({ params }) => {
        const { stock } = await clients.inventory.getStock({ productId: params.id });
        return { body: stockToJson(stock) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/admin/products/{id}/stock', operationId: 'adjustStock', tags: ['admin', 'inventory'], auth: 'admin',
      summary: 'Adjust on-hand stock by a signed delta, with a reason',
      params: IdParams,
      body: AdjustStockBody,
      headers: [{ name: 'Idempotency-Key', required: false, description: 'Makes the adjustment safe to retry', schema: StockIdempotencyKeyHeader }],
      response: { status: 200, description: 'The new stock level and the ledger entry', schema: AdjustStockResponse },
      errors: [400, 404],
      handler: async ({ params, body, req }) => {
        const key = validateHeader(req.get('idempotency-key'), 'Idempotency-Key', StockIdempotencyKeyHeader, { required: false, reason: 'INVALID_IDEMPOTENCY_KEY' });
        // Without a key a retry is a new adjustment, as the client asked for.
        const requestId = key ?? randomUUID();
        const result = await clients.inventory.adjustStock({ productId: params.id, delta: body.delta, reason: body.reason, requestId });
        return { body: { stock: stockToJson(result.stock), movement: movementToJson(result.movement) } };
      },
    }),
  ];
}
