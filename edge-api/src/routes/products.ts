import { hash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { CachedProduct } from '../cache/product-cache';
import { CACHE_STATUS, requestsFreshAnswer } from '../cache/request-directives';
import { IdParams } from '../schemas/common';
import { moneyFromJson } from '../mappers/common';
import { productPatchToUpdate, productToJson, sortOrderFromJson } from '../mappers/products';
import { defineRoute, type Route } from '../registry/route';
import { CreateProductBody, ProductListQuery, ProductListSchema, ProductSchema, UpdateProductBody } from '../schemas/products';
import type { RouteDeps } from './deps';

/** Strong validator of the exact representation sent (one-shot hash: no Hash object per read). */
const etagOf = (json: Buffer): string => `"${hash('sha256', json, 'base64url').slice(0, 32)}"`;

/** RFC 9110 If-None-Match: weak comparison, a list of tags or "*". */
function matchesIfNoneMatch(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function productRoutes({ clients, productReads, productCacheMaxAgeSeconds, productCache }: RouteDeps): Route[] {
  const cacheControl = `public, max-age=${productCacheMaxAgeSeconds}`;

  /** The representation sent, as stored: its JSON bytes and the ETag over exactly those bytes. */
  const fetchProduct = async (id: string): Promise<CachedProduct> => {
    const text = JSON.stringify(productToJson(await productReads.get(id)));
    // An exact-size buffer of its own: Buffer.from would slice Node's shared 8 KB pool, and a cached slice keeps its
    // whole slab (and whatever else was cut from it) alive for as long as the entry lives.
    const json = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    json.write(text);
    return { json, etag: etagOf(json) };
  };

  const answer = (req: Request, product: CachedProduct, cacheStatus: string) => {
    const headers = { ETag: product.etag, 'Cache-Control': cacheControl, 'Cache-Status': cacheStatus };
    if (matchesIfNoneMatch(req, product.etag)) return { status: 304, headers };
    return { json: product.json, headers };
  };

  /** A write through this edge: its own readers see it at once, without waiting for the change feed. */
  const invalidateAfter = async <T>(id: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } finally {
      // Also after a failure: a write whose outcome is unknown (a deadline) may have been committed.
      productCache?.invalidate(id);
    }
  };
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
      description: [
        'Answers an ETag and a short public Cache-Control; If-None-Match with the current ETag gives 304.',
        '',
        'The edge keeps the exact representations it sent in a cache that the product service\'s change feed',
        'invalidates (and a PATCH or DELETE through this edge at once); while the feed is not live the cache is off.',
        'Every answer past request validation, the product service\'s problems included, carries an RFC 9211 `Cache-Status` header:',
        '`edge; hit` (answered from the cache, no call to the product service),',
        '`edge; fwd=uri-miss` (not cached: asked the product service, whose answer is stored when it may be),',
        '`edge; fwd=request` (the request\'s Cache-Control had no-cache, no-store or max-age=0: asked the product',
        'service, and the cached entry may be refreshed), `edge; fwd=bypass` (the cache is off). Errors are never cached.',
      ].join('\n'),
      params: IdParams,
      headers: [
        {
          name: 'Cache-Control', required: false, schema: z.string(),
          description: 'no-cache, no-store or max-age=0 makes the edge ask the product service instead of answering from its cache',
        },
      ],
      response: { status: 200, description: 'The product', schema: ProductSchema },
      responseHeaders: {
        ETag: 'Strong validator of the representation sent',
        'Cache-Status': 'RFC 9211: edge; hit | edge; fwd=uri-miss | edge; fwd=request | edge; fwd=bypass',
      },
      errors: [404],
      handler: async ({ params, req }) => {
        const cache = productCache?.enabled ? productCache : undefined;
        const fresh = requestsFreshAnswer(req);
        if (cache && !fresh) {
          const hit = cache.get(params.id);
          if (hit !== undefined) return answer(req, hit, CACHE_STATUS.hit);
        }
        const cacheStatus = !cache ? CACHE_STATUS.bypass : fresh ? CACHE_STATUS.request : CACHE_STATUS.miss;
        // Set before the call, so that a failed forward's problem answer carries it too.
        req.res?.setHeader('Cache-Status', cacheStatus);
        if (!cache) return answer(req, await fetchProduct(params.id), cacheStatus);
        const ticket = cache.begin(params.id);
        let fetched: CachedProduct | undefined;
        try {
          fetched = await fetchProduct(params.id);
        } finally {
          // Without a value (the call failed) this only ends the read: errors are never stored.
          cache.settle(ticket, fetched);
        }
        return answer(req, fetched, cacheStatus);
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
        const { product } = await invalidateAfter(params.id, () => clients.product.updateProduct(productPatchToUpdate(params.id, body)));
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
        const { product } = await invalidateAfter(params.id, () => clients.product.archiveProduct({ id: params.id }));
        return { body: productToJson(product) };
      },
    }),
  ];
}
