import { status } from '@grpc/grpc-js';
import { createServiceClient, type Logger, type ServiceClient } from '@shop/platform';
import { InventoryServiceService, ProductServiceService, ReservationState, reservationStateToJSON } from '@shop/proto/gen/shop/product/v1/product';
import { DependencyRefusedError } from '../domain/dependency-errors';
import type { Catalog, CatalogProduct, Inventory, ReservationState as DomainReservationState } from '../domain/ports';
import { call } from './translate-error';

export interface ProductClientSettings {
  target: string;
  deadlineMs: number;
  /** How long ReserveStock holds stock; the saga commits well within it. */
  reservationTtlSeconds: number;
  logger: Logger;
}

/** Catalog and inventory of the product service, through the platform client (deadline, breaker, retries). */
export function createProductClients(settings: ProductClientSettings): { catalog: Catalog; inventory: Inventory; close(): void } {
  const products: ServiceClient<typeof ProductServiceService> = createServiceClient(ProductServiceService, {
    service: 'product', target: settings.target, logger: settings.logger, defaultDeadlineMs: settings.deadlineMs,
    idempotentMethods: ['getProduct', 'batchGetProducts'],
  });
  const stock: ServiceClient<typeof InventoryServiceService> = createServiceClient(InventoryServiceService, {
    service: 'inventory', target: settings.target, logger: settings.logger, defaultDeadlineMs: settings.deadlineMs,
    // All keyed by the reservation id, so a resend cannot double-count. ReserveStock is not resent: the saga must
    // know whether a failed reserve may have reached the service (see the payment client).
    idempotentMethods: ['getStock', 'getReservation', 'commitReservation', 'releaseReservation', 'restockReservation'],
  });

  const catalog: Catalog = {
    async batchGetProducts(ids, authorization) {
      const response = await call('product', () => products.batchGetProducts({ ids }, { authorization }));
      return response.products.map((product): CatalogProduct => ({
        id: product.id,
        sku: product.sku,
        name: product.name,
        priceMinor: product.price?.amountMinor ?? 0n,
        currency: product.price?.currencyCode ?? '',
        active: product.active && !product.archiveTime,
      }));
    },
  };

  const inventory: Inventory = {
    async reserve(reservationId, items, authorization) {
      await call('product', () =>
        stock.reserveStock({ reservationId, items, ttl: { seconds: BigInt(settings.reservationTtlSeconds), nanos: 0 } }, { authorization }),
      );
    },
    async commit(reservationId, authorization) {
      await call('product', () => stock.commitReservation({ reservationId }, { authorization }));
    },
    async release(reservationId, authorization) {
      await call('product', () => stock.releaseReservation({ reservationId }, { authorization }));
    },
    async restock(reservationId, authorization) {
      await call('product', () => stock.restockReservation({ reservationId }, { authorization }));
    },
    async getState(reservationId, authorization) {
      try {
        const response = await call('product', () => stock.getReservation({ reservationId }, { authorization }));
        return toDomainState(response.reservation?.state ?? ReservationState.RESERVATION_STATE_UNSPECIFIED);
      } catch (error) {
        if (error instanceof DependencyRefusedError && error.code === status.NOT_FOUND) return null;
        throw error;
      }
    },
  };

  return {
    catalog,
    inventory,
    close() {
      products.close();
      stock.close();
    },
  };
}

function toDomainState(state: ReservationState): DomainReservationState {
  const name = reservationStateToJSON(state).replace('RESERVATION_STATE_', '');
  return name === 'HELD' || name === 'COMMITTED' || name === 'RELEASED' || name === 'EXPIRED' || name === 'RESTOCKED' ? name : 'UNKNOWN';
}
