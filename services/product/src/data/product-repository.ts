import { alreadyExists, notFound } from '@shop/platform';
import type { ProductRecord } from '../domain/product';
import type { ProductStore } from '../domain/ports';
import { Prisma, type Product as ProductModel } from '../generated/prisma/client';
import type { Database } from './database';
import { buildListProductsQuery } from './list-products-sql';
import { PRODUCT_COLUMNS, productFromRow, type ProductRow } from './product-rows';

const fromModel = (model: ProductModel): ProductRecord => ({
  id: model.id,
  sku: model.sku,
  name: model.name,
  description: model.description,
  priceMinor: model.priceMinor,
  currency: model.currency,
  category: model.category,
  imageUrls: model.imageUrls,
  active: model.active,
  createTime: model.createTime,
  updateTime: model.updateTime,
  archiveTime: model.archiveTime,
});

function translateWriteError(error: unknown, id?: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2002') throw alreadyExists('A product with this SKU already exists', 'SKU_TAKEN');
    if (error.code === 'P2025') throw notFound(`Product ${id ?? ''} does not exist`, id ? { product_id: id } : undefined);
  }
  throw error;
}

export function createProductRepository(db: Database): ProductStore {
  const { prisma, pool } = db;
  return {
    async create(input) {
      try {
        const model = await prisma.product.create({
          data: {
            sku: input.sku,
            name: input.name,
            description: input.description,
            priceMinor: input.priceMinor,
            currency: input.currency,
            category: input.category,
            imageUrls: input.imageUrls,
            active: input.active,
            // Every product has a stock row from birth, so reservations never have to create one.
            stock: { create: {} },
          },
        });
        return fromModel(model);
      } catch (error) {
        translateWriteError(error);
      }
    },

    async get(id) {
      // A named statement is parsed and planned once per connection: the hot path.
      const result = await pool.query<ProductRow>({
        name: 'product_get',
        text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = $1::uuid`,
        values: [id],
      });
      const row = result.rows[0];
      return row ? productFromRow(row) : undefined;
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const result = await pool.query<ProductRow>({
        name: 'product_get_many',
        text: `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.id = ANY($1::uuid[])`,
        values: [ids],
      });
      return result.rows.map(productFromRow);
    },

    async list(filters, cursor, pageSize) {
      // One row more than the page tells whether another page exists without a COUNT.
      const query = buildListProductsQuery(filters, cursor, pageSize + 1);
      const result = await pool.query<ProductRow & { sort_key: string }>(query);
      const rows = result.rows.slice(0, pageSize);
      const last = rows[rows.length - 1];
      const next = result.rows.length > pageSize && last ? { key: last.sort_key, id: last.id } : undefined;
      return { products: rows.map(productFromRow), next };
    },

    async update(id, changes) {
      try {
        const model = await prisma.product.update({
          where: { id },
          data: {
            ...changes,
            updateTime: new Date(),
            // Reactivating a product un-archives it; deactivating by update is not an archive.
            ...(changes.active === true ? { archiveTime: null } : {}),
          },
        });
        return fromModel(model);
      } catch (error) {
        translateWriteError(error, id);
      }
    },

    async archive(id) {
      const now = new Date();
      // Conditional on not being archived yet, so a repeat keeps the first archive time.
      await prisma.product.updateMany({
        where: { id, archiveTime: null },
        data: { active: false, archiveTime: now, updateTime: now },
      });
      const model = await prisma.product.findUnique({ where: { id } });
      if (!model) throw notFound(`Product ${id} does not exist`, { product_id: id });
      return fromModel(model);
    },
  };
}
