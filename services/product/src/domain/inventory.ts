import { failedPrecondition, notFound, resolvePageSize, type PageTokenCodec } from '@shop/platform';
import type { InventoryStore } from './ports';
import {
  normalizeReservationRequest,
  outcomeOfNoop,
  requireReservationId,
  resolveTtlSeconds,
  sameItems,
  type ReservationAction,
  type ReservationItem,
  type ReservationRecord,
} from './reservation';
import { MOVEMENT_PAGE_LIMITS } from './listing';
import { isProductId } from './product';
import { sameAdjustment, validateAdjustment, type AdjustmentInput, type MovementRecord, type StockRecord } from './stock';

export interface InventorySettings {
  defaultTtlSeconds: number;
  movementTokens: PageTokenCodec<string>;
}

/** Inventory decisions: validation, replay rules and state-machine outcomes over an atomic store. */
export function createInventory(store: InventoryStore, settings: InventorySettings) {
  const productNotFound = (id: string) => notFound(`Product ${id} does not exist`, { product_id: id });
  const reservationNotFound = (id: string) => notFound(`Reservation ${id} does not exist`, { reservation_id: id });

  async function act(action: ReservationAction, rawId: string): Promise<ReservationRecord> {
    const id = requireReservationId(rawId);
    const result = await store.transition(id, action);
    if (!result) throw reservationNotFound(id);
    if (result.applied) return result.reservation;
    const outcome = outcomeOfNoop(action, result.reservation.state);
    if (outcome === 'replay') return result.reservation;
    throw outcome;
  }

  return {
    async getStock(productId: string): Promise<StockRecord> {
      const stock = isProductId(productId) ? await store.getStock(productId) : undefined;
      if (!stock) throw productNotFound(productId);
      return stock;
    },

    async adjustStock(raw: AdjustmentInput): Promise<{ stock: StockRecord; movement: MovementRecord }> {
      if (!isProductId(raw.productId)) throw productNotFound(raw.productId);
      const input = validateAdjustment(raw);
      const result = await store.adjust(input);
      if (!result.applied && !sameAdjustment(result.movement, input)) {
        throw failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'This request id was already used for a different adjustment', {
          request_id: input.requestId ?? '',
        });
      }
      return { stock: result.stock, movement: result.movement };
    },

    async listMovements(productId: string, pageSize: number, pageToken: string): Promise<{ movements: MovementRecord[]; nextPageToken: string }> {
      const size = resolvePageSize(pageSize, MOVEMENT_PAGE_LIMITS);
      const fingerprint = `movements:${productId}`;
      const before = settings.movementTokens.decode(pageToken, fingerprint);
      if (!isProductId(productId) || !(await store.getStock(productId))) throw productNotFound(productId);
      const rows = await store.listMovements(productId, before, size + 1);
      const movements = rows.slice(0, size);
      const last = movements[movements.length - 1];
      const nextPageToken = rows.length > size && last ? settings.movementTokens.encode(last.id, fingerprint) : '';
      return { movements, nextPageToken };
    },

    async reserve(rawId: string, rawItems: readonly ReservationItem[], ttlSeconds: number | undefined): Promise<ReservationRecord> {
      const { id, items } = normalizeReservationRequest(rawId, rawItems);
      const ttl = resolveTtlSeconds(ttlSeconds, settings.defaultTtlSeconds);
      const { created, reservation } = await store.reserve(id, items, ttl);
      if (!created && !sameItems(reservation.items, items)) {
        throw failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'This reservation id was already used for different items', {
          reservation_id: id,
        });
      }
      return reservation;
    },

    commit: (id: string) => act('COMMIT', id),
    release: (id: string) => act('RELEASE', id),
    restock: (id: string) => act('RESTOCK', id),

    async getReservation(rawId: string): Promise<ReservationRecord> {
      const id = requireReservationId(rawId);
      const reservation = await store.getReservation(id);
      if (!reservation) throw reservationNotFound(id);
      return reservation;
    },

    /** Releases held reservations past their TTL; returns how many this call expired. */
    async expireDue(batchSize: number): Promise<number> {
      let expired = 0;
      for (const id of await store.dueForExpiry(batchSize)) {
        // Conditional in the store: another replica (or a commit) may have moved it first; that is fine.
        const result = await store.transition(id, 'EXPIRE');
        if (result?.applied) expired += 1;
      }
      return expired;
    },
  };
}

export type Inventory = ReturnType<typeof createInventory>;
