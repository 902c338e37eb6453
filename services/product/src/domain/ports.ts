import type { ProductCursor, ProductFilters } from './listing';
import type { ProductInput, ProductRecord } from './product';
import type { AdjustmentInput, MovementRecord, StockRecord } from './stock';
import type { ReservationAction, ReservationItem, ReservationRecord } from './reservation';

/** What inventory decisions need from storage; src/data implements it with atomic conditional SQL. */
export interface InventoryStore {
  getStock(productId: string): Promise<StockRecord | undefined>;
  /**
   * Applies an adjustment unless its request id was seen before; `applied: false` returns the earlier
   * movement. Throws FAILED_PRECONDITION INSUFFICIENT_STOCK when available stock would go below zero.
   */
  adjust(input: AdjustmentInput): Promise<{ applied: boolean; stock: StockRecord; movement: MovementRecord }>;
  /** Newest first; `beforeId` continues after the last movement of the previous page. */
  listMovements(productId: string, beforeId: string | undefined, limit: number): Promise<MovementRecord[]>;
  /**
   * Holds every item or nothing, in one transaction. `created: false` means a reservation with this id already
   * existed (a replay) and nothing was changed. Throws OUT_OF_STOCK / NOT_FOUND naming the items.
   */
  reserve(id: string, items: readonly ReservationItem[], ttlSeconds: number): Promise<{ created: boolean; reservation: ReservationRecord }>;
  /** Moves the reservation from the action's `from` state to its `to` state and moves stock, or changes nothing
   * (`applied: false`) when it is in another state. Undefined when no such reservation exists. */
  transition(id: string, action: ReservationAction): Promise<{ applied: boolean; reservation: ReservationRecord } | undefined>;
  getReservation(id: string): Promise<ReservationRecord | undefined>;
  /** Ids of held reservations whose TTL has passed, oldest first. */
  dueForExpiry(limit: number): Promise<string[]>;
}

/** What catalog decisions need from storage (src/data/product-repository implements it). */
export interface ProductStore {
  create(input: ProductInput): Promise<ProductRecord>;
  get(id: string): Promise<ProductRecord | undefined>;
  getMany(ids: readonly string[]): Promise<ProductRecord[]>;
  list(filters: ProductFilters, cursor: ProductCursor | undefined, pageSize: number): Promise<{ products: ProductRecord[]; next: ProductCursor | undefined }>;
  update(id: string, changes: Partial<ProductInput>): Promise<ProductRecord>;
  archive(id: string): Promise<ProductRecord>;
}

/** Told about committed product changes by a ProductChangeFeed. Each callback runs synchronously and must not throw. */
export interface ProductChangeSubscriber {
  /** The feed listens: every change committed from now on reaches onChanges (until onLost). Called once. */
  onReady(): void;
  /** Ids of products updated or deleted (archived is an update); one id may come several times. */
  onChanges(ids: readonly string[]): void;
  /** The feed stopped listening, so changes may have been missed; nothing more is delivered. Called at most once. */
  onLost(error: Error): void;
}

/** Pushes the ids of products whose stored row changed, as they are committed (src/data/product-change-feed). */
export interface ProductChangeFeed {
  /** Returns the unsubscribe function; safe to call more than once, and after onLost. */
  subscribe(subscriber: ProductChangeSubscriber): () => void;
}
