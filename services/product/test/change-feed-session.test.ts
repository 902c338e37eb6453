import net from 'node:net';
import { createLogger } from '@shop/platform';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { Pool } from 'pg';
import { createProductChangeFeed, CHANGE_FEED_APPLICATION_NAME, type ClosableProductChangeFeed } from '../src/data/product-change-feed';
import type { ProductChangeSubscriber } from '../src/domain/ports';

// The data layer's feed alone, on a real database: what the gRPC tests cannot reach (a session that goes silent
// without closing, close() at shutdown). Every wait is for an event; jest's timeout bounds it.

const logger = createLogger({ service: 'product-feed-test', level: 'silent' });

let database: TestDatabase;
let sql: Pool;
const feeds: ClosableProductChangeFeed[] = [];

beforeAll(async () => {
  database = await createTestDatabase('product');
  sql = new Pool({ connectionString: database.url, max: 2 });
  sql.on('error', () => undefined);
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.close()));
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

/** A subscriber whose callbacks resolve promises the test can await. */
function recorder() {
  let markReady = () => undefined as void;
  let markLost = (_error: Error) => undefined as void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const lost = new Promise<Error>((resolve) => (markLost = resolve));
  const changes: string[] = [];
  const counts = { ready: 0, lost: 0 };
  const subscriber: ProductChangeSubscriber = {
    onReady() {
      counts.ready += 1;
      markReady();
    },
    onChanges(ids) {
      changes.push(...ids);
    },
    onLost(error) {
      counts.lost += 1;
      markLost(error);
    },
  };
  return { subscriber, ready, lost, changes, counts };
}

const feedOn = (connectionString: string, heartbeat?: { intervalMs: number; timeoutMs: number }) => {
  const feed = createProductChangeFeed({
    connectionString, logger, heartbeatIntervalMs: heartbeat?.intervalMs, heartbeatTimeoutMs: heartbeat?.timeoutMs,
  });
  feeds.push(feed);
  return feed;
};

const listenSessions = async () =>
  (await sql.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [CHANGE_FEED_APPLICATION_NAME])).rows.length;

/** Waits until the number of LISTEN sessions on the database is `count` (pg_stat_activity lags a disconnect). */
async function untilSessions(count: number): Promise<void> {
  while ((await listenSessions()) !== count) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * A TCP proxy to PostgreSQL whose open connections can go silent, like a network that drops packets without
 * resetting anything. Connections made afterwards work.
 */
async function blackHoleProxy(target: URL) {
  const sockets: net.Socket[] = [];
  const silenced = new WeakSet<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.push(downstream, upstream);
    const forward = (from: net.Socket, to: net.Socket) => from.on('data', (chunk) => {
      if (!silenced.has(from)) to.write(chunk);
    });
    forward(downstream, upstream);
    forward(upstream, downstream);
    for (const socket of [downstream, upstream]) socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    goSilent: () => sockets.forEach((socket) => silenced.add(socket)),
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('product change feed', () => {
  it('serves every subscriber from one session, delivers changes, and closes the session when the last one leaves', async () => {
    const feed = feedOn(database.url);
    const first = recorder();
    const second = recorder();
    const leaveFirst = feed.subscribe(first.subscriber);
    await first.ready;
    const leaveSecond = feed.subscribe(second.subscriber);
    await second.ready;
    expect(await listenSessions()).toBe(1);

    await sql.query(`SELECT pg_notify('product_changes', 'p-1')`);
    await sql.query(`SELECT pg_notify('other_channel', 'ignored')`);
    await sql.query(`SELECT pg_notify('product_changes', 'p-2')`);
    while (second.changes.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(first.changes).toEqual(['p-1', 'p-2']);
    expect(second.changes).toEqual(['p-1', 'p-2']);

    leaveFirst();
    leaveFirst();
    expect(await listenSessions()).toBe(1);
    leaveSecond();
    await untilSessions(0);
    expect({ first: first.counts, second: second.counts }).toEqual({ first: { ready: 1, lost: 0 }, second: { ready: 1, lost: 0 } });
  });

  it('notices a session that went silent through its heartbeat, tells every subscriber once, and reconnects for the next', async () => {
    const proxy = await blackHoleProxy(new URL(database.url));
    try {
      // A timeout well above a loaded machine's query time: only the black hole may trip it.
      const feed = feedOn(proxy.url, { intervalMs: 100, timeoutMs: 1_000 });
      const one = recorder();
      const two = recorder();
      feed.subscribe(one.subscriber);
      feed.subscribe(two.subscriber);
      await Promise.all([one.ready, two.ready]);

      proxy.goSilent();
      expect((await one.lost).message).toMatch(/did not answer SELECT 1/);
      await two.lost;
      expect([one.counts, two.counts]).toEqual([{ ready: 1, lost: 1 }, { ready: 1, lost: 1 }]);

      // The next subscriber gets a new session, which works.
      const again = recorder();
      feed.subscribe(again.subscriber);
      await again.ready;
      await sql.query(`SELECT pg_notify('product_changes', 'after')`);
      while (again.changes.length === 0 && again.counts.lost === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(again.counts.lost).toBe(0);
      expect(again.changes).toEqual(['after']);
    } finally {
      await proxy.close();
    }
  });

  it('reports a database it cannot reach as lost', async () => {
    const unreachable = new URL(database.url);
    unreachable.pathname = '/no_such_database';
    const feed = feedOn(unreachable.toString());
    const subscriber = recorder();
    feed.subscribe(subscriber.subscriber);
    expect((await subscriber.lost).message).toMatch(/no_such_database/);
    expect(subscriber.counts).toEqual({ ready: 0, lost: 1 });
  });

  it('on close(), tells current subscribers, refuses later ones, and ends its session', async () => {
    const feed = feedOn(database.url);
    const current = recorder();
    feed.subscribe(current.subscriber);
    await current.ready;
    await feed.close();
    await current.lost;
    const later = recorder();
    feed.subscribe(later.subscriber);
    expect((await later.lost).message).toMatch(/closed/);
    await untilSessions(0);
  });
});
