import {
  implement, invalidArgument, resolvePageSize, runWithRequestContext, type PageTokenCodec, type ServiceRegistration, type ServiceTokenSource,
} from '@shop/platform';
import { OrderServiceService, OrderStatus, type Address } from '@shop/proto/gen/shop/order/v1/order';
import type { CheckoutService } from '../domain/checkout';
import type { OrderCursor, OrderPage, OrderQueries } from '../domain/order-queries';
import { ORDER_STATUS_FILTER, toProtoOrder } from './order-mapper';

export interface OrderHandlerDependencies {
  checkout: CheckoutService;
  queries: OrderQueries;
  pageTokens: PageTokenCodec<OrderCursor>;
  /**
   * The order service calls product and payment as itself: those services refuse customers' tokens, and a
   * customer's token could expire halfway through a saga. Ownership is checked here, before anything is sent.
   */
  serviceTokens: ServiceTokenSource;
}

const PAGE_LIMITS = { defaultSize: 20, maxSize: 100 };

/** Translation only: decode and check the request's shape, call the domain, encode the answer. */
export function orderServiceRegistration(deps: OrderHandlerDependencies): ServiceRegistration {
  const page = (result: OrderPage, scope: unknown) => ({
    orders: result.orders.map(toProtoOrder),
    nextPageToken: result.next ? deps.pageTokens.encode(result.next, scope) : '',
  });

  return implement(OrderServiceService, {
    async createOrder(request, ctx) {
      const caller = await ctx.principal();
      const missing = [
        ...(request.card ? [] : [{ field: 'card', description: 'is required' }]),
        ...(request.shippingAddress ? [] : [{ field: 'shipping_address', description: 'is required' }]),
      ];
      if (!request.card || !request.shippingAddress || missing.length > 0) throw invalidArgument('The order request is invalid', missing);
      const authorization = await deps.serviceTokens.authorization();
      // The saga runs to its end even when the caller gives up: its outcome is kept for the idempotent replay.
      // So outgoing calls get their own deadlines instead of the caller's remaining one.
      const order = await runWithRequestContext({ requestId: ctx.requestId, authorization }, () =>
        deps.checkout.createOrder({
          userId: caller.userId,
          requestId: request.requestId,
          items: request.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
          shipping: toShipping(request.shippingAddress!),
          card: { number: request.card!.number, expMonth: request.card!.expMonth, expYear: request.card!.expYear, cvc: request.card!.cvc },
          authorization,
          deadline: ctx.deadline,
        }),
      );
      return { order: toProtoOrder(order) };
    },

    async getOrder(request, ctx) {
      const caller = await ctx.principal();
      return { order: toProtoOrder(await deps.queries.get(request.orderId, caller)) };
    },

    async listOrders(request, ctx) {
      const caller = await ctx.principal();
      const size = resolvePageSize(request.pageSize, PAGE_LIMITS);
      const scope = { list: 'own', userId: caller.userId };
      const after = deps.pageTokens.decode(request.pageToken, scope);
      return page(await deps.queries.listOwn(caller, size, after), scope);
    },

    async cancelOrder(request, ctx) {
      const caller = await ctx.principal();
      const authorization = await deps.serviceTokens.authorization();
      const order = await runWithRequestContext({ requestId: ctx.requestId, authorization }, () =>
        deps.queries.cancel(request.orderId, caller, authorization),
      );
      return { order: toProtoOrder(order) };
    },

    async listAllOrders(request, ctx) {
      await ctx.requireAdmin();
      const size = resolvePageSize(request.pageSize, PAGE_LIMITS);
      const status = ORDER_STATUS_FILTER[request.status];
      if (request.status !== OrderStatus.ORDER_STATUS_UNSPECIFIED && !status) {
        throw invalidArgument('Unknown status filter', [{ field: 'status', description: 'unknown value' }]);
      }
      const scope = { list: 'all', status: status ?? null };
      const after = deps.pageTokens.decode(request.pageToken, scope);
      return page(await deps.queries.listAll(status, size, after), scope);
    },
  });
}

function toShipping(address: Address) {
  return {
    name: address.name.trim(),
    line1: address.line1.trim(),
    line2: address.line2.trim(),
    city: address.city.trim(),
    postalCode: address.postalCode.trim(),
    country: address.country.trim().toUpperCase(),
  };
}

export const isOrderCursor = (value: unknown): value is OrderCursor =>
  typeof value === 'object' && value !== null &&
  typeof (value as OrderCursor).createTime === 'string' && !Number.isNaN(Date.parse((value as OrderCursor).createTime)) &&
  typeof (value as OrderCursor).id === 'string';
