import { createServiceClient, type Logger, type ServiceClient } from '@shop/platform';
import { HealthService } from '@shop/proto/gen/grpc/health/v1/health';
import { OrderServiceService } from '@shop/proto/gen/shop/order/v1/order';
import { InventoryServiceService, ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';

export const SERVICE_NAMES = ['user', 'product', 'order', 'payment'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Only Check: Watch is a stream, and readiness needs one answer. */
export const HealthCheckDefinition = { check: HealthService.check };

/** Longer than the watcher's renewal period (20 s), shorter than the product server's connection age (5 min). */
export const WATCH_STREAM_DEADLINE_MS = 60_000;

/** Every gRPC client the edge calls through. */
export interface EdgeClients {
  user: ServiceClient<typeof UserServiceService>;
  product: ServiceClient<typeof ProductServiceService>;
  inventory: ServiceClient<typeof InventoryServiceService>;
  order: ServiceClient<typeof OrderServiceService>;
  health: Record<ServiceName, ServiceClient<typeof HealthCheckDefinition>>;
}

export interface ClientSettings {
  addresses: Record<ServiceName, string>;
  logger: Logger;
  /** Deadline of an ordinary call; checkout passes its own. */
  deadlineMs: number;
}

/** Creates the edge's clients through the platform factory (deadline, breaker, request id, auth and trace propagation). */
export function createEdgeClients({ addresses, logger, deadlineMs }: ClientSettings): EdgeClients {
  const common = { logger, defaultDeadlineMs: deadlineMs };
  return {
    user: createServiceClient(UserServiceService, {
      ...common, service: 'user', target: addresses.user, idempotentMethods: ['getUser', 'listUsers', 'getJwks'],
    }),
    product: createServiceClient(ProductServiceService, {
      ...common, service: 'product', target: addresses.product, idempotentMethods: ['getProduct', 'batchGetProducts', 'listProducts'],
      // The whole change stream: the watcher replaces it well before (see product-change-watcher.ts).
      deadlinesMs: { watchProductChanges: WATCH_STREAM_DEADLINE_MS },
    }),
    inventory: createServiceClient(InventoryServiceService, {
      ...common, service: 'inventory', target: addresses.product, idempotentMethods: ['getStock', 'listStockMovements', 'getReservation'],
    }),
    order: createServiceClient(OrderServiceService, {
      ...common, service: 'order', target: addresses.order, idempotentMethods: ['getOrder', 'listOrders', 'listAllOrders'],
    }),
    health: {
      user: healthClient('user', addresses.user, logger),
      product: healthClient('product', addresses.product, logger),
      order: healthClient('order', addresses.order, logger),
      payment: healthClient('payment', addresses.payment, logger),
    },
  };
}

function healthClient(service: ServiceName, target: string, logger: Logger): ServiceClient<typeof HealthCheckDefinition> {
  // No retries and a quick breaker reset: readiness must reflect the service's state now, not a stale opinion.
  return createServiceClient(HealthCheckDefinition, {
    service: `${service}-health`, target, logger, defaultDeadlineMs: 1_000, maxRetries: 0, breaker: { resetTimeoutMs: 1_000 },
  });
}

export function closeEdgeClients(clients: EdgeClients): void {
  for (const client of [clients.user, clients.product, clients.inventory, clients.order, ...Object.values(clients.health)]) client.close();
}
