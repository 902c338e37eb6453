import type { z } from 'zod';
import {
  ProductSortOrder,
  type StockMovementKind,
  stockMovementKindToJSON,
  type Product,
  type StockLevel,
  type StockMovement,
} from '@shop/proto/gen/shop/product/v1/product';
import type { ProductSchema, SORT_ORDERS, StockLevelSchema, StockMovementSchema, UpdateProductBody } from '../schemas/products';
import { moneyFromJson, moneyToJson, stripEnumPrefix, timestampToJson } from './common';

export const productToJson = (product: Product | undefined): z.input<typeof ProductSchema> => {
  if (!product) throw new Error('product service answered without a product');
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: moneyToJson(product.price),
    category: product.category,
    imageUrls: product.imageUrls,
    active: product.active,
    createdAt: timestampToJson(product.createTime),
    updatedAt: timestampToJson(product.updateTime),
    archivedAt: timestampToJson(product.archiveTime),
  };
};

const SORT_ORDER: Record<(typeof SORT_ORDERS)[number], ProductSortOrder> = {
  relevance: ProductSortOrder.PRODUCT_SORT_ORDER_RELEVANCE,
  price_asc: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_ASC,
  price_desc: ProductSortOrder.PRODUCT_SORT_ORDER_PRICE_DESC,
  newest: ProductSortOrder.PRODUCT_SORT_ORDER_NEWEST,
  name_asc: ProductSortOrder.PRODUCT_SORT_ORDER_NAME_ASC,
};

export const sortOrderFromJson = (sort: (typeof SORT_ORDERS)[number] | undefined): ProductSortOrder =>
  sort === undefined ? ProductSortOrder.PRODUCT_SORT_ORDER_UNSPECIFIED : SORT_ORDER[sort];

type UpdateBody = z.output<typeof UpdateProductBody>;

// Public camelCase field -> proto field path in the update mask.
const MASK_PATHS: Record<keyof UpdateBody, string> = {
  sku: 'sku',
  name: 'name',
  description: 'description',
  price: 'price',
  category: 'category',
  imageUrls: 'image_urls',
  active: 'active',
};

/** A partial PATCH body becomes the product to send plus the mask naming exactly the fields present. */
export function productPatchToUpdate(id: string, body: UpdateBody): { product: Product; updateMask: string[] } {
  const product: Product = {
    id,
    sku: body.sku ?? '',
    name: body.name ?? '',
    description: body.description ?? '',
    price: body.price ? moneyFromJson(body.price) : undefined,
    category: body.category ?? '',
    imageUrls: body.imageUrls ?? [],
    active: body.active ?? false,
    createTime: undefined,
    updateTime: undefined,
    archiveTime: undefined,
  };
  const updateMask = (Object.keys(MASK_PATHS) as Array<keyof UpdateBody>).filter((key) => body[key] !== undefined).map((key) => MASK_PATHS[key]);
  return { product, updateMask };
}

export const stockToJson = (stock: StockLevel | undefined): z.input<typeof StockLevelSchema> => {
  if (!stock) throw new Error('inventory service answered without a stock level');
  return {
    productId: stock.productId,
    onHand: stock.onHand,
    reserved: stock.reserved,
    available: stock.available,
    sold: stock.sold,
    updatedAt: timestampToJson(stock.updateTime),
  };
};

export const movementToJson = (movement: StockMovement | undefined): z.input<typeof StockMovementSchema> | null =>
  movement
    ? {
        id: movement.id,
        productId: movement.productId,
        kind: stripEnumPrefix(kindName(movement.kind), 'STOCK_MOVEMENT_KIND_'),
        quantity: movement.quantity,
        reason: movement.reason,
        createdAt: timestampToJson(movement.createTime),
      }
    : null;

function kindName(kind: StockMovementKind): string {
  try {
    return stockMovementKindToJSON(kind);
  } catch {
    return 'UNSPECIFIED';
  }
}
