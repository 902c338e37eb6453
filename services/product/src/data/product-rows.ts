import type { ProductRecord } from '../domain/product';

/** The columns every product read selects, in the shape `pg` returns them. */
export const PRODUCT_COLUMNS =
  'p.id, p.sku, p.name, p.description, p.price_minor, p.currency, p.category, p.image_urls, p.active, p.create_time, p.update_time, p.archive_time';

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  // int8 arrives as a string from `pg`: exact, converted to bigint here.
  price_minor: string;
  currency: string;
  category: string;
  image_urls: string[] | null;
  active: boolean;
  create_time: Date;
  update_time: Date;
  archive_time: Date | null;
}

export function productFromRow(row: ProductRow): ProductRecord {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    priceMinor: BigInt(row.price_minor),
    currency: row.currency,
    category: row.category,
    imageUrls: row.image_urls ?? [],
    active: row.active,
    createTime: row.create_time,
    updateTime: row.update_time,
    archiveTime: row.archive_time,
  };
}
