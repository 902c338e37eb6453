import { hash } from 'node:crypto';
import type { Request } from 'express';
import { IdParams } from '../schemas/common';
import { moneyFromJson } from '../mappers/common';
import { productPatchToUpdate, productToJson, sortOrderFromJson } from '../mappers/products';
import { defineRoute, type Route } from '../registry/route';
import { CreateProductBody, ProductListQuery, ProductListSchema, ProductSchema, UpdateProductBody } from '../schemas/products';
import type { RouteDeps } from './deps';

/** Strong validator of the exact representation sent (one-shot hash: no Hash object per read). */
const etagOf = (json: string): string => `"${hash('sha256', json, 'base64url').slice(0, 32)}"`;

/** RFC 9110 If-None-Match: weak comparison, a list of tags or "*". */
function matchesIfNoneMatch(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function productRoutes({ clients, productCacheMaxAgeSeconds }: RouteDeps): Route[] {
  const cacheControl = `public, max-age=${productCacheMaxAgeSeconds}`;
  return [
    defineRoute({
      method: 'get', path: '/v1/products', operationId: 'listProducts', tags: ['products'], auth: 'optional',
      summary: 'Browse and search the catalog',
      query: ProductListQuery,
      response: { status: 200, description: 'A page of products', schema: ProductListSchema },
      errors: [400],
      handler: async ({ query }) => {
        const page = await clients.product.listProducts({
          pageSize: query.page_size ?? 0,
          pageToken: query.page_token ?? '',
          query: query.q ?? '',
          category: query.category ?? '',
          minPriceMinor: query.min_price === undefined ? undefined : BigInt(query.min_price),
          maxPriceMinor: query.max_price === undefined ? undefined : BigInt(query.max_price),
          sortOrder: sortOrderFromJson(query.sort),
          includeInactive: query.include_inactive === 'true',
        });
        return { body: { products: page.products.map(productToJson), nextPageToken: page.nextPageToken } };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/products/{id}', operationId: 'getProduct', tags: ['products'], auth: 'optional',
      summary: 'One product (archived ones too, for past orders)',
      description: 'Answers an ETag and a short public Cache-Control; If-None-Match with the current ETag gives 304.',
      params: IdParams,
      response: { status: 200, description: 'The product', schema: ProductSchema },
      errors: [404],
      handler: async ({ params, req }) => {
        const { product } = await clients.product.getProduct({ id: params.id });
        const body = productToJson(product);
        const serialized = JSON.stringify(body);
        const etag = etagOf(serialized);
        const headers = { ETag: etag, 'Cache-Control': cacheControl };
        if (matchesIfNoneMatch(req, etag)) return { status: 304, headers };
        return { body, serialized, headers };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/products', operationId: 'createProduct', tags: ['admin', 'products'], auth: 'admin',
      summary: 'Create a product',
      body: CreateProductBody,
      response: { status: 201, description: 'The new product', schema: ProductSchema },
      errors: [400, 409],
      handler: async ({ body }) => {
        const { product } = await clients.product.createProduct({
          product: {
            id: '', sku: body.sku, name: body.name, description: body.description, price: moneyFromJson(body.price),
            category: body.category, imageUrls: body.imageUrls, active: true,
            createTime: undefined, updateTime: undefined, archiveTime: undefined,
          },
        });
        const json = productToJson(product);
        return { body: json, headers: { Location: `/v1/products/${encodeURIComponent(json.id)}` } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/v1/products/{id}', operationId: 'updateProduct', tags: ['admin', 'products'], auth: 'admin',
      summary: 'Change some fields of a product (the fields sent become the update mask)',
      params: IdParams,
      body: UpdateProductBody,
      response: { status: 200, description: 'The updated product', schema: ProductSchema },
      errors: [400, 404, 409],
      handler: async ({ params, body }) => {
        const { product } = await clients.product.updateProduct(productPatchToUpdate(params.id, body));
        return { body: productToJson(product) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/v1/products/{id}', operationId: 'archiveProduct', tags: ['admin', 'products'], auth: 'admin',
      summary: 'Archive a product (hidden from customers, kept for past orders)',
      params: IdParams,
      response: { status: 200, description: 'The archived product', schema: ProductSchema },
      errors: [404],
      handler: async ({ params }) => {
        const { product } = await clients.product.archiveProduct({ id: params.id });
        return { body: productToJson(product) };
      },
    }),
  ];
}
