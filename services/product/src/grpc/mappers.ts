import {
  ProductSortOrder,
  ReservationState as ProtoReservationState,
  StockMovementKind,
  type Product,
  type Reservation,
  type StockLevel,
  type StockMovement,
} from '@shop/proto/gen/shop/product/v1/product';
import type { Duration } from '@shop/proto/gen/google/protobuf/duration';
import type { ProductSort } from '../domain/listing';
import type { ProductInput, ProductRecord } from '../domain/product';
import type { ReservationRecord, ReservationState } from '../domain/reservation';
import { availableOf, type MovementKind, type MovementRecord, type StockRecord } from '../domain/stock';

export function toProto(product: ProductRecord): Product {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: { currencyCode: product.currency, amountMinor: product.priceMinor },
    category: product.category,
    imageUrls: product.imageUrls,
    active: product.active,
    createTime: product.createTime,
    updateTime: product.updateTime,
    archiveTime: product.archiveTime ?? undefined,
  };
}

/** The client-settable fields of a proto product; an absent price stays absent so validation can name it. */
export function inputFromProto(product: Product | undefined): Partial<ProductInput> {
  if (!product) return {};
  return {
    sku: product.sku.trim(),
    name: product.name,
    description: product.description,
    priceMinor: product.price?.amountMinor,
    currency: product.price?.currencyCode.toUpperCase(),
    category: product.category,
    imageUrls: product.imageUrls,
    active: product.active,
  };
}

const SORTS: Partial<Record<ProductSortOrder, ProductSort>> = {
  [ProductSortOrder.PRODUCT_SORT_ORDER_RELEVANCE]: 'RELEVANCE',
  [ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC]: 'PRICE_ASC',
  [ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_DESC]: 'PRICE_DESC',
  [ProductSortOrder.PRODUCT_SORT_ORDER_NEWEST]: 'NEWEST',
  [ProductSortOrder.PRODUCT_SORT_ORDER_NAME_ASC]: 'NAME_ASC',
};

/** Undefined for UNSPECIFIED (and unknown values): the domain picks relevance or newest. */
export const sortFromProto = (order: ProductSortOrder): ProductSort | undefined => SORTS[order];

export function stockToProto(stock: StockRecord): StockLevel {
  return {
    productId: stock.productId,
    onHand: stock.onHand,
    reserved: stock.reserved,
    available: availableOf(stock),
    sold: stock.sold,
    updateTime: stock.updateTime,
  };
}

const KINDS: Record<MovementKind, StockMovementKind> = {
  ADJUSTMENT: StockMovementKind.STOCK_MOVEMENT_KIND_ADJUSTMENT,
  RESERVE: StockMovementKind.STOCK_MOVEMENT_KIND_RESERVE,
  RELEASE: StockMovementKind.STOCK_MOVEMENT_KIND_RELEASE,
  COMMIT: StockMovementKind.STOCK_MOVEMENT_KIND_COMMIT,
  EXPIRE: StockMovementKind.STOCK_MOVEMENT_KIND_EXPIRE,
  RESTOCK: StockMovementKind.STOCK_MOVEMENT_KIND_RESTOCK,
};

export function movementToProto(movement: MovementRecord): StockMovement {
  return {
    id: movement.id,
    productId: movement.productId,
    kind: KINDS[movement.kind],
    quantity: movement.quantity,
    reason: movement.reason,
    reservationId: movement.reservationId ?? '',
    createTime: movement.createTime,
  };
}

const STATES: Record<ReservationState, ProtoReservationState> = {
  HELD: ProtoReservationState.RESERVATION_STATE_HELD,
  COMMITTED: ProtoReservationState.RESERVATION_STATE_COMMITTED,
  RELEASED: ProtoReservationState.RESERVATION_STATE_RELEASED,
  EXPIRED: ProtoReservationState.RESERVATION_STATE_EXPIRED,
  RESTOCKED: ProtoReservationState.RESERVATION_STATE_RESTOCKED,
};

export function reservationToProto(reservation: ReservationRecord): Reservation {
  return {
    id: reservation.id,
    state: STATES[reservation.state],
    items: reservation.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
    expireTime: reservation.expireTime,
    createTime: reservation.createTime,
    updateTime: reservation.updateTime,
  };
}

/** Whole seconds of a protobuf Duration (sub-second TTLs round up so they never become "unset"). */
export function durationSeconds(duration: Duration | undefined): number | undefined {
  if (!duration) return undefined;
  const seconds = Number(duration.seconds) + (duration.nanos > 0 ? 1 : 0);
  return seconds === 0 ? undefined : seconds;
}
