import { invalidArgument, type FieldViolation } from '@shop/platform';

/** The fields a client may set. */
export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  priceMinor: bigint;
  currency: string;
  category: string;
  imageUrls: string[];
  active: boolean;
}

/** A catalog product as the service reasons about it (money in integer minor units). */
export interface ProductRecord extends ProductInput {
  id: string;
  createTime: Date;
  updateTime: Date;
  archiveTime: Date | null;
}

export type UpdatableField = 'sku' | 'name' | 'description' | 'price' | 'category' | 'imageUrls' | 'active';

const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_IMAGES = 10;

/** Ids are UUIDs; anything else cannot name a product (callers answer NOT_FOUND, not a database error). */
export const isProductId = (value: string): boolean => UUID.test(value);

function violationsOf(input: Partial<ProductInput>, fields: ReadonlySet<UpdatableField>): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string) => violations.push({ field: `product.${field}`, description });
  if (fields.has('sku') && !SKU.test(input.sku ?? '')) add('sku', 'must be 1-64 letters, digits, ".", "_" or "-"');
  if (fields.has('name')) {
    const name = input.name?.trim() ?? '';
    if (name.length === 0 || name.length > 200) add('name', 'must be 1-200 characters');
  }
  if (fields.has('description') && (input.description ?? '').length > 5000) add('description', 'must be at most 5000 characters');
  if (fields.has('price')) {
    if (input.priceMinor === undefined || input.priceMinor < 0n) add('price.amount_minor', 'must be zero or more');
    if (!CURRENCY.test(input.currency ?? '')) add('price.currency_code', 'must be a three-letter ISO 4217 code');
  }
  if (fields.has('category')) {
    const category = input.category?.trim() ?? '';
    if (category.length === 0 || category.length > 64) add('category', 'must be 1-64 characters');
  }
  if (fields.has('imageUrls')) {
    const urls = input.imageUrls ?? [];
    if (urls.length > MAX_IMAGES) add('image_urls', `at most ${MAX_IMAGES} images`);
    urls.forEach((url, i) => {
      if (!isHttpUrl(url)) add(`image_urls[${i}]`, 'must be an http(s) URL of at most 2048 characters');
    });
  }
  return violations;
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const ALL_FIELDS: ReadonlySet<UpdatableField> = new Set<UpdatableField>([
  'sku', 'name', 'description', 'price', 'category', 'imageUrls', 'active',
]);

/**
 * Validates a new product; INVALID_ARGUMENT lists every bad field at once. New products are for sale: proto3
 * cannot tell an unset `active` from false, so hiding one is an explicit update or an archive.
 */
export function validateNewProduct(input: Partial<ProductInput>): ProductInput {
  const violations = violationsOf(input, ALL_FIELDS);
  if (violations.length > 0) throw invalidArgument('The product is not valid', violations);
  // Every field is present once validation passed (the violations above cover each missing one).
  return {
    sku: input.sku!,
    name: input.name!.trim(),
    description: input.description ?? '',
    priceMinor: input.priceMinor!,
    currency: input.currency!,
    category: input.category!.trim(),
    imageUrls: input.imageUrls ?? [],
    active: true,
  };
}

// Field mask paths as clients may spell them (proto snake_case or JSON camelCase).
const MASK_PATHS: Record<string, UpdatableField> = {
  sku: 'sku',
  name: 'name',
  description: 'description',
  price: 'price',
  'price.amount_minor': 'price',
  'price.amountMinor': 'price',
  'price.currency_code': 'price',
  'price.currencyCode': 'price',
  category: 'category',
  image_urls: 'imageUrls',
  imageUrls: 'imageUrls',
  active: 'active',
};

/**
 * Resolves an update mask (AIP-134). "*" means every field; an empty mask means the fields the client populated
 * (booleans cannot be told apart from their default, so `active` needs an explicit path).
 */
export function resolveUpdateMask(paths: readonly string[], populated: Partial<ProductInput>): Set<UpdatableField> {
  if (paths.length === 1 && paths[0] === '*') return new Set(ALL_FIELDS);
  if (paths.length === 0) {
    const implied = new Set<UpdatableField>();
    if (populated.sku) implied.add('sku');
    if (populated.name) implied.add('name');
    if (populated.description) implied.add('description');
    if (populated.currency) implied.add('price');
    if (populated.category) implied.add('category');
    if (populated.imageUrls && populated.imageUrls.length > 0) implied.add('imageUrls');
    if (implied.size === 0) throw invalidArgument('Nothing to update', [{ field: 'update_mask', description: 'name the fields to change' }]);
    return implied;
  }
  const fields = new Set<UpdatableField>();
  const unknown = paths.filter((path) => {
    const field = MASK_PATHS[path];
    if (field) fields.add(field);
    return !field;
  });
  if (unknown.length > 0) {
    throw invalidArgument('The update mask names fields that cannot be updated', [
      { field: 'update_mask', description: `unknown or immutable: ${unknown.join(', ')}` },
    ]);
  }
  return fields;
}

/** The changes an update makes, validated; only the masked fields are present. */
export function validateUpdate(input: Partial<ProductInput>, fields: ReadonlySet<UpdatableField>): Partial<ProductInput> {
  const violations = violationsOf(input, fields);
  if (violations.length > 0) throw invalidArgument('The update is not valid', violations);
  const changes: Partial<ProductInput> = {};
  if (fields.has('sku')) changes.sku = input.sku;
  if (fields.has('name')) changes.name = input.name?.trim();
  if (fields.has('description')) changes.description = input.description ?? '';
  if (fields.has('price')) {
    changes.priceMinor = input.priceMinor;
    changes.currency = input.currency;
  }
  if (fields.has('category')) changes.category = input.category?.trim();
  if (fields.has('imageUrls')) changes.imageUrls = input.imageUrls ?? [];
  if (fields.has('active')) changes.active = input.active ?? false;
  return changes;
}
