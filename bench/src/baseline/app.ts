import express, { type NextFunction, type Request, type Response } from 'express';
import { orderJson, placeOrder } from './checkout';
import { CheckoutRefused, isCheckoutBody } from './checkout-types';
import type { BaselinePools } from './pools';
import { createBatchLoader, UNSCOPED } from '../../../edge-api/src/reads/batch-loader';
import { MAX_PRODUCTS_PER_CALL } from '../../../edge-api/src/reads/product-batch-limit';
import type { ProductRow } from '../../../services/product/src/data/product-rows';
import { getProduct, getProducts, productJson, searchProducts } from './products';

class ProductNotFound extends Error {}

/** The edge's gathering of product reads (the same loader), over the product service's batch statement. */
function batchedProductReads(pools: BaselinePools) {
  // Unscoped: the baseline has no request context or trace to carry into a shared statement.
  return createBatchLoader<ProductRow, undefined>({
    keyOf: (id) => id.toLowerCase(),
    maxBatch: MAX_PRODUCTS_PER_CALL,
    load: async (ids) => new Map((await getProducts(pools.product, ids)).map((row) => [row.id, row])),
    missing: () => new ProductNotFound(),
    scope: UNSCOPED,
  });
}

/**
 * The bare ceiling: express 5 + `pg`, the same routes and SQL as the edge + services, no gRPC, no ORM, no auth
 * (a signed-in user is named by the `x-user-id` header instead of a verified token).
 */
export function createBaselineApp(pools: BaselinePools): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(express.json({ limit: '64kb' }));

  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/v1/products/:id', async (req, res) => {
    const row = await getProduct(pools.product, req.params.id);
    if (!row) {
      res.status(404).json({ title: 'Not Found', status: 404 });
      return;
    }
    res.json(productJson(row));
  });

  // The same read, gathered per event-loop turn as the edge gathers its reads (bench scenario 1b).
  const batched = batchedProductReads(pools);
  app.get('/batched/v1/products/:id', async (req, res) => {
    try {
      res.json(productJson(await batched.get(req.params.id)));
    } catch (error) {
      if (!(error instanceof ProductNotFound)) throw error;
      res.status(404).json({ title: 'Not Found', status: 404 });
    }
  });

  app.get('/v1/products', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const page = await searchProducts(pools.product, q);
    res.json({ products: page.products.map(productJson), nextPageToken: page.nextPageToken });
  });

  app.post('/v1/orders', async (req, res) => {
    const key = req.get('idempotency-key');
    if (!key || !isCheckoutBody(req.body)) {
      res.status(400).json({ title: 'Bad Request', status: 400 });
      return;
    }
    const userId = req.get('x-user-id') ?? 'baseline-user';
    try {
      const placed = await placeOrder(pools, userId, key, req.body);
      res.status(201).json(orderJson(placed));
    } catch (error) {
      if (error instanceof CheckoutRefused) {
        res.status(error.status).json({ title: error.reason, status: error.status });
        return;
      }
      throw error;
    }
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error(error);
    res.status(500).json({ title: 'Internal error', status: 500 });
  });
  return app;
}
