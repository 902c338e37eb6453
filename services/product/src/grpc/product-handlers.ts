import { implement, invalidArgument, type ServiceRegistration } from '@shop/platform';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import type { Catalog } from '../domain/catalog';
import type { ProductChangeFeed } from '../domain/ports';
import { inputFromProto, sortFromProto, toProto } from './mappers';
import { relayProductChanges } from './product-change-relay';

const MAX_BATCH = 100;

/**
 * ProductService: reads are open (inactive listings are admin-only), writes need the admin role. The change feed is
 * open like reads: it reveals only ids of products that changed, and the edge watches it without a user token.
 */
export function productServiceHandlers(catalog: Catalog, changes: ProductChangeFeed): ServiceRegistration {
  return implement(ProductServiceService, {
    async createProduct(request, ctx) {
      await ctx.requireAdmin();
      const product = await catalog.create(inputFromProto(request.product));
      return { product: toProto(product) };
    },

    async getProduct(request) {
      return { product: toProto(await catalog.get(request.id)) };
    },

    async batchGetProducts(request) {
      if (request.ids.length > MAX_BATCH) {
        throw invalidArgument('Too many ids', [{ field: 'ids', description: `at most ${MAX_BATCH}` }]);
      }
      const products = await catalog.batchGet(request.ids, request.allowMissing);
      return { products: products.map(toProto) };
    },

    async listProducts(request, ctx) {
      if (request.includeInactive) await ctx.requireAdmin();
      const page = await catalog.list(
        {
          query: request.query,
          category: request.category,
          minPriceMinor: request.minPriceMinor,
          maxPriceMinor: request.maxPriceMinor,
          includeInactive: request.includeInactive,
          sort: sortFromProto(request.sortOrder) ?? 'RELEVANCE',
        },
        request.pageSize,
        request.pageToken,
      );
      return { products: page.products.map(toProto), nextPageToken: page.nextPageToken };
    },

    async updateProduct(request, ctx) {
      await ctx.requireAdmin();
      const id = request.product?.id ?? '';
      const product = await catalog.update(id, inputFromProto(request.product), request.updateMask ?? []);
      return { product: toProto(product) };
    },

    async archiveProduct(request, ctx) {
      await ctx.requireAdmin();
      return { product: toProto(await catalog.archive(request.id)) };
    },

    watchProductChanges(_request, _ctx, stream) {
      return relayProductChanges(changes, stream);
    },
  });
}
