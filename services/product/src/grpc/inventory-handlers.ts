import { implement, type ServiceRegistration } from '@shop/platform';
import { InventoryServiceService } from '@shop/proto/gen/shop/product/v1/product';
import type { Inventory } from '../domain/inventory';
import { durationSeconds, movementToProto, reservationToProto, stockToProto } from './mappers';

/**
 * InventoryService. Stock levels are open to read; adjustments and the ledger need an admin. Reservations are
 * made by the order service on behalf of a signed-in customer, with that customer's token: any principal.
 */
export function inventoryServiceHandlers(inventory: Inventory): ServiceRegistration {
  return implement(InventoryServiceService, {
    async getStock(request) {
      return { stock: stockToProto(await inventory.getStock(request.productId)) };
    },

    async adjustStock(request, ctx) {
      await ctx.requireAdmin();
      const { stock, movement } = await inventory.adjustStock({
        productId: request.productId,
        delta: request.delta,
        reason: request.reason,
        requestId: request.requestId || null,
      });
      return { stock: stockToProto(stock), movement: movementToProto(movement) };
    },

    async listStockMovements(request, ctx) {
      await ctx.requireAdmin();
      const page = await inventory.listMovements(request.productId, request.pageSize, request.pageToken);
      return { movements: page.movements.map(movementToProto), nextPageToken: page.nextPageToken };
    },

    async reserveStock(request, ctx) {
      await ctx.requireRole('SERVICE');
      const reservation = await inventory.reserve(request.reservationId, request.items, durationSeconds(request.ttl));
      return { reservation: reservationToProto(reservation) };
    },

    async commitReservation(request, ctx) {
      await ctx.requireRole('SERVICE');
      return { reservation: reservationToProto(await inventory.commit(request.reservationId)) };
    },

    async releaseReservation(request, ctx) {
      await ctx.requireRole('SERVICE');
      return { reservation: reservationToProto(await inventory.release(request.reservationId)) };
    },

    async restockReservation(request, ctx) {
      await ctx.requireRole('SERVICE');
      return { reservation: reservationToProto(await inventory.restock(request.reservationId)) };
    },

    async getReservation(request, ctx) {
      await ctx.requireRole('SERVICE', 'ADMIN');
      return { reservation: reservationToProto(await inventory.getReservation(request.reservationId)) };
    },
  });
}
