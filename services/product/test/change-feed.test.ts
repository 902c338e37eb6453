import { status } from '@grpc/grpc-js';
import { createLogger, createServiceClient, type ServiceClient } from '@shop/platform';
import { ProductServiceService, type Product, type WatchProductChangesResponse } from '@shop/proto/gen/shop/product/v1/product';
import { Client } from 'pg';
import { CHANGE_FEED_APPLICATION_NAME } from '../src/data/product-change-feed';
import { failureOf, startHarness, type Harness } from './support/harness';

// WatchProductChanges end to end: real PostgreSQL (the migration's triggers, LISTEN/NOTIFY), the real service on an
// ephemeral port, and the platform's client as the edge uses it. Every wait is for an event; jest's timeout bounds it.

let h: Harness;
let client: ServiceClient<typeof ProductServiceService>;
const open: Array<{ cancel(): void }> = [];

beforeAll(async () => {
  h = await startHarness();
  client = createServiceClient(ProductServiceService, {
    service: 'product-watch-test',
    target: `127.0.0.1:${h.port}`,
    logger: createLogger({ service: 'product-watch-test', level: 'silent' }),
  });
});

afterEach(() => {
  open.splice(0).forEach((stream) => stream.cancel());
});

afterAll(async () => {
  client?.close();
  await h?.close();
});

interface Watch {
  first: WatchProductChangesResponse;
  /** Reads messages until every wanted id was seen; returns all messages read (ids of other changes included). */
  until(wanted: readonly string[]): Promise<string[][]>;
  /** Reads to the end of the stream (resolves on OK, rejects with the call's error). */
  rest(): Promise<string[][]>;
}

/** Opens a watch as the edge does: no user token. */
async function watch(): Promise<Watch> {
  const stream = await client.watchProductChanges({}, { authorization: null });
  open.push(stream);
  const messages = stream[Symbol.asyncIterator]();
  const next = async (): Promise<string[] | undefined> => {
    const result = await messages.next();
    return result.done ? undefined : result.value.productIds;
  };
  const first = await messages.next();
  if (first.done) throw new Error('the stream ended before its first message');
  return {
    first: first.value,
    async until(wanted) {
      const missing = new Set(wanted);
      const read: string[][] = [];
      while (missing.size > 0) {
        const ids = await next();
        if (!ids) throw new Error(`the stream ended while waiting for ${[...missing].join(', ')}`);
        read.push(ids);
        ids.forEach((id) => missing.delete(id));
      }
      return read;
    },
    async rest() {
      const read: string[][] = [];
      for (let ids = await next(); ids; ids = await next()) read.push(ids);
      return read;
    },
  };
}

/** The order in which ids first appear across messages. */
const firstSeenOrder = (messages: string[][]) => [...new Set(messages.flat())];

const rename = (product: Product, name: string) => h.products.updateProduct({ product: { ...product, name }, updateMask: ['name'] });

async function withSql<T>(work: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: h.databaseUrl });
  await sql.connect();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

const killListenSession = async () => {
  const [row] = await h.query<{ killed: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed
     FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    [CHANGE_FEED_APPLICATION_NAME],
  );
  return row!.killed;
};

describe('WatchProductChanges', () => {
  it('confirms with an empty first message, open to callers without a token', async () => {
    const watcher = await watch();
    expect(watcher.first.productIds).toEqual([]);
  });

  it("delivers the product's id after UpdateProduct and after ArchiveProduct", async () => {
    const product = await h.createProduct();
    const watcher = await watch();
    await rename(product, 'Renamed');
    expect((await watcher.until([product.id])).flat()).toContain(product.id);
    await h.products.archiveProduct({ id: product.id });
    expect((await watcher.until([product.id])).flat()).toContain(product.id);
  });

  it('delivers every change, in commit order, to every watcher', async () => {
    const products = await Promise.all(Array.from({ length: 6 }, () => h.createProduct()));
    const ids = products.map((product) => product.id);
    const [one, two] = await Promise.all([watch(), watch()]);
    for (const product of products) await rename(product, `First ${product.id}`);
    // Several changes of one product may be folded into one id; none may be lost.
    await Promise.all(products.map((product) => rename(product, `Second ${product.id}`)));
    const seenByOne = await one.until(ids);
    const seenByTwo = await two.until(ids);
    expect(firstSeenOrder(seenByOne)).toEqual(ids);
    expect(firstSeenOrder(seenByTwo)).toEqual(ids);
  });

  it('delivers a deleted product, and nothing for inserts, rolled-back updates or updates that change nothing', async () => {
    const [rolledBack, unchanged, deleted, committed] = await Promise.all([h.createProduct(), h.createProduct(), h.createProduct(), h.createProduct()]);
    const watcher = await watch();
    const inserted = await h.createProduct();
    await withSql(async (sql) => {
      await sql.query('BEGIN');
      await sql.query(`UPDATE products SET name = 'never committed' WHERE id = $1`, [rolledBack.id]);
      await sql.query('ROLLBACK');
      await sql.query('UPDATE products SET name = name WHERE id = $1', [unchanged.id]);
      await sql.query('BEGIN');
      await sql.query('DELETE FROM stock WHERE product_id = $1', [deleted.id]);
      await sql.query('DELETE FROM products WHERE id = $1', [deleted.id]);
      await sql.query('COMMIT');
      await sql.query(`UPDATE products SET name = 'committed' WHERE id = $1`, [committed.id]);
    });
    // Notifications arrive in commit order: anything sent for the earlier statements comes before `committed`.
    const seen = (await watcher.until([deleted.id, committed.id])).flat();
    expect(seen).not.toContain(rolledBack.id);
    expect(seen).not.toContain(unchanged.id);
    expect(seen).not.toContain(inserted.id);
  });

  it('ends every watch with UNAVAILABLE CHANGE_FEED_LOST when the LISTEN session dies, and a new watch works again', async () => {
    const product = await h.createProduct();
    const [one, two] = await Promise.all([watch(), watch()]);
    // One session serves every watcher.
    // An earlier test's session may still be closing: at least the live one was terminated.
    expect(await killListenSession()).toBeGreaterThanOrEqual(1);
    for (const watcher of [one, two]) {
      const failure = await failureOf(watcher.rest());
      expect(failure).toMatchObject({ code: status.UNAVAILABLE, reason: 'CHANGE_FEED_LOST' });
    }

    const again = await watch();
    expect(again.first.productIds).toEqual([]);
    await rename(product, 'After the loss');
    expect((await again.until([product.id])).flat()).toContain(product.id);
  });

  it('closes the LISTEN session when the last watcher leaves, and opens one for the next', async () => {
    const watcher = await watch();
    expect(watcher.first.productIds).toEqual([]);
    open.splice(0).forEach((stream) => stream.cancel());
    await expect(watcher.rest()).rejects.toMatchObject({ code: status.CANCELLED });
    // The server sees the cancellation on its own schedule: wait for the session to go.
    while ((await h.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [CHANGE_FEED_APPLICATION_NAME])).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const product = await h.createProduct();
    const next = await watch();
    await rename(product, 'Watched again');
    expect((await next.until([product.id])).flat()).toContain(product.id);
  });
});
