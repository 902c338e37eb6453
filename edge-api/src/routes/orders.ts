import { createOrderRequest, orderStatusFromJson, orderToJson } from '../mappers/orders';
import { validateHeader } from '../http/validate';
import { defineRoute, type Route } from '../registry/route';
import { IdParams, PageQuery } from '../schemas/common';
import { AdminOrderListQuery, CreateOrderBody, IdempotencyKeyHeader, OrderListSchema, OrderSchema } from '../schemas/orders';
import type { RouteDeps } from './deps';

export function orderRoutes({ clients, checkoutDeadlineMs }: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/orders', operationId: 'createOrder', tags: ['orders'], auth: 'user',
      summary: 'Check out: reserve stock, charge the card, confirm the order',
      description:
        'Requires an Idempotency-Key (per user): a replay answers the original result, the same key with another body is 422, ' +
        'and a replay while the first request runs is 409. Out of stock and declined cards are 400 problems with reason ' +
        'OUT_OF_STOCK / PAYMENT_DECLINED and the order id in metadata.',
      body: CreateOrderBody,
      headers: [{ name: 'Idempotency-Key', required: true, description: 'At most 255 characters, unique per checkout attempt', schema: IdempotencyKeyHeader }],
      response: { status: 201, description: 'The confirmed order', schema: OrderSchema },
      errors: [400, 409, 422, 503, 504],
      handler: async ({ body, req }) => {
        const key = validateHeader(req.get('idempotency-key'), 'Idempotency-Key', IdempotencyKeyHeader, {
          required: true,
          reason: 'IDEMPOTENCY_KEY_REQUIRED',
        });
        const { order } = await clients.order.createOrder(createOrderRequest(key ?? '', body), { deadlineMs: checkoutDeadlineMs });
        const json = orderToJson(order);
        return { body: json, headers: { Location: `/v1/orders/${encodeURIComponent(json.id)}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/orders', operationId: 'listOrders', tags: ['orders'], auth: 'user',
      summary: 'The own orders, newest first',
      query: PageQuery,
      response: { status: 200, description: 'A page of orders', schema: OrderListSchema },
      errors: [400],
      handler: async ({ query }) => {
        const page = await clients.order.listOrders({ pageSize: query.page_size ?? 0, pageToken: query.page_token ?? '' });
        return { body: { orders: page.orders.map(orderToJson), nextPageToken: page.nextPageToken } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/orders/{id}', operationId: 'getOrder', tags: ['orders'], auth: 'user',
      summary: 'One of the own orders (another user\'s is 404, like a missing one)',
      params: IdParams,
      response: { status: 200, description: 'The order', schema: OrderSchema },
      errors: [404],
      handler: async ({ params }) => {
        const { order } = await clients.order.getOrder({ orderId: params.id });
        return { body: orderToJson(order) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/orders/{id}/cancel', operationId: 'cancelOrder', tags: ['orders'], auth: 'user',
      summary: 'Cancel a confirmed order: full refund, stock returned (idempotent)',
      params: IdParams,
      response: { status: 200, description: 'The cancelled order', schema: OrderSchema },
      errors: [400, 404, 503, 504],
      handler: async ({ params }) => {
        const { order } = await clients.order.cancelOrder({ orderId: params.id }, { deadlineMs: checkoutDeadlineMs });
        return { body: orderToJson(order) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/admin/orders', operationId: 'listAllOrders', tags: ['admin', 'orders'], auth: 'admin',
      summary: 'Every order, newest first',
      query: AdminOrderListQuery,
      response: { status: 200, description: 'A page of orders', schema: OrderListSchema },
      errors: [400],
      handler: async ({ query }) => {
        const page = await clients.order.listAllOrders({
          pageSize: query.page_size ?? 0,
          pageToken: query.page_token ?? '',
          status: orderStatusFromJson(query.status),
        });
        return { body: { orders: page.orders.map(orderToJson), nextPageToken: page.nextPageToken } };
      },
    }),
  ];
}
