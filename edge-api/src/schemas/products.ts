import { z } from 'zod';
import { MoneySchema, NEXT_PAGE_TOKEN, PageQuery, TimestampSchema } from './common';

export const ProductSchema = z
  .object({
    id: z.string(),
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    price: MoneySchema,
    category: z.string(),
    imageUrls: z.array(z.string()),
    active: z.boolean(),
    createdAt: TimestampSchema.nullable(),
    updatedAt: TimestampSchema.nullable(),
    archivedAt: TimestampSchema.nullable(),
  })
  .meta({ title: 'Product' });

export const ProductListSchema = z.object({ products: z.array(ProductSchema), nextPageToken: NEXT_PAGE_TOKEN });

export const SORT_ORDERS = ['relevance', 'price_asc', 'price_desc', 'newest', 'name_asc'] as const;

const minorUnits = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ProductListQuery = PageQuery.extend({
  q: z.string().max(200).optional().meta({ description: 'Words to find in name and description' }),
  category: z.string().max(100).optional(),
  min_price: minorUnits.optional().meta({ description: 'Lowest price in minor units' }),
  max_price: minorUnits.optional().meta({ description: 'Highest price in minor units' }),
  sort: z.enum(SORT_ORDERS).optional(),
  include_inactive: z.enum(['true', 'false']).optional().meta({ description: 'Admins only: include archived products' }),
});

const sku = z.string().min(1).max(64);
const name = z.string().min(1).max(200);
const description = z.string().max(5000);
const category = z.string().min(1).max(100);
const imageUrls = z.array(z.url({ protocol: /^https?$/ }).max(2048)).max(20);

export const CreateProductBody = z
  .object({ sku, name, description, price: MoneySchema, category, imageUrls: imageUrls.default([]) })
  .strict();

/** Every field optional: the fields present become the update mask. */
export const UpdateProductBody = z
  .object({
    sku: sku.optional(),
    name: name.optional(),
    description: description.optional(),
    price: MoneySchema.optional(),
    category: category.optional(),
    imageUrls: imageUrls.optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field must be given' });

export const StockLevelSchema = z
  .object({
    productId: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    sold: z.number().int(),
    updatedAt: TimestampSchema.nullable(),
  })
  .meta({ title: 'StockLevel' });

export const StockMovementSchema = z.object({
  id: z.string(),
  productId: z.string(),
  kind: z.string().meta({ example: 'ADJUSTMENT' }),
  quantity: z.number().int(),
  reason: z.string(),
  createdAt: TimestampSchema.nullable(),
});

export const AdjustStockBody = z
  .object({
    delta: z.number().int().min(-1_000_000).max(1_000_000).refine((delta) => delta !== 0, 'must not be zero'),
    reason: z.string().min(1).max(500),
  })
  .strict();

/** The inventory ledger keys adjustments by this; its alphabet is the one the product service accepts. */
export const StockIdempotencyKeyHeader = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 letters, digits, ".", "_", ":" or "-"');

export const AdjustStockResponse = z.object({ stock: StockLevelSchema, movement: StockMovementSchema.nullable() });
