import { once } from 'node:events';
import {
  createServiceClient, implement, startGrpcServer, unavailable, type DomainError, type GrpcServerHandle, type ServiceClient,
} from '@shop/platform';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
import { ProductCache } from '../src/cache/product-cache';
import { createProductChangeWatcher, type ProductChangeSource, type ProductChangeWatcher } from '../src/cache/product-change-watcher';
import { cachedProduct } from './support/fixtures';
import { memoryLogger, sleep, waitFor } from './support/wait';

/** The watched method alone: the server below implements just that, on ProductService's real path. */
const WatchDefinition = { watchProductChanges: ProductServiceService.watchProductChanges };
/** The same service without the method: what an older product service is. */
const GetOnlyDefinition = { getProduct: ProductServiceService.getProduct };

/** One stream as the scripted server holds it. */
interface Scripted {
  /** Sends a message of changed ids. */
  send(ids: string[]): Promise<void>;
  /** Ends the stream with this error. */
  fail(error: DomainError): void;
  /** Sends the confirming first message of a stream opened while the server held confirmations back. */
  confirm(): void;
  signal: AbortSignal;
  ended: Promise<void>;
}

const untilAborted = (signal: AbortSignal) => (signal.aborted ? Promise.resolve() : once(signal, 'abort').then(() => undefined));

describe('product change watcher against a real gRPC server', () => {
  let server: GrpcServerHandle;
  /** accept: confirm at once; hold: open but confirm only on confirm(); refuse: fail before the first message. */
  let mode: 'accept' | 'hold' | 'refuse';
  let streams: Scripted[];
  let clients: Array<{ close(): void }>;
  let watchers: ProductChangeWatcher[];
  let clientCount = 0;

  beforeEach(async () => {
    mode = 'accept';
    streams = [];
    clients = [];
    watchers = [];
    server = await startGrpcServer({
      serviceName: 'product',
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger('product').logger,
      shutdownGraceMs: 30_000,
      services: [
        implement(WatchDefinition, {
          async watchProductChanges(_request, _ctx, stream) {
            if (mode === 'refuse') throw unavailable('FEED_DOWN', 'The change feed is not listening');
            let fail: (error: DomainError) => void = () => undefined;
            const failed = new Promise<never>((_resolve, reject) => (fail = reject));
            let confirm: () => void = () => undefined;
            const confirmed = new Promise<void>((resolve) => (confirm = resolve));
            let markEnded: () => void = () => undefined;
            const ended = new Promise<void>((resolve) => (markEnded = resolve));
            streams.push({ send: (ids) => stream.send({ productIds: ids }), fail, confirm, signal: stream.signal, ended });
            try {
              if (mode === 'hold') await Promise.race([confirmed, untilAborted(stream.signal)]);
              if (stream.signal.aborted) return;
              await stream.send({ productIds: [] });
              await Promise.race([untilAborted(stream.signal), failed]);
            } finally {
              markEnded();
            }
          },
        }),
      ],
    });
  });

  afterEach(async () => {
    await Promise.all(watchers.map((watcher) => watcher.stop()));
    clients.forEach((client) => client.close());
    await server.shutdown();
  });

  const client = (port = server.port, deadlineMs = 60_000): ServiceClient<typeof WatchDefinition> => {
    clientCount += 1;
    const created = createServiceClient(WatchDefinition, {
      service: `watch-test-${clientCount}`,
      target: `127.0.0.1:${port}`,
      logger: memoryLogger('client').logger,
      deadlinesMs: { watchProductChanges: deadlineMs },
      // Failed opens are part of these scripts; the breaker is not what is under test.
      breaker: { volumeThreshold: 1_000 },
    });
    clients.push(created);
    return created;
  };

  const watch = (
    source: ProductChangeSource,
    cache: ProductCache,
    timing: { renewEveryMs?: number; handoverMs?: number } = {},
  ) => {
    const { logger, lines } = memoryLogger();
    const watcher = createProductChangeWatcher({
      source, cache, logger, renewEveryMs: timing.renewEveryMs ?? 60_000, handoverMs: timing.handoverMs ?? 10, backoffInitialMs: 5, backoffMaxMs: 40,
    });
    watchers.push(watcher);
    watcher.start();
    return { watcher, lines };
  };

  const stored = (cache: ProductCache, id: string) => cache.settle(cache.begin(id), cachedProduct(id));

  it('enables the cache only once the stream is confirmed, and invalidates every id it reports', async () => {
    mode = 'hold';
    const cache = new ProductCache(10);
    watch(client(), cache);
    await waitFor(() => streams.length === 1);
    // Open but not confirmed: the feed may not listen yet.
    expect(cache.enabled).toBe(false);
    streams[0]!.confirm();
    await waitFor(() => cache.enabled);

    expect(stored(cache, 'a')).toBe(true);
    expect(stored(cache, 'b')).toBe(true);
    await streams[0]!.send(['a', 'z']);
    await waitFor(() => cache.get('a') === undefined);
    expect(cache.get('b')).toBeDefined();
  });

  it('disables and clears the cache when the live stream fails, and enables it again once a new stream confirms', async () => {
    const cache = new ProductCache(10);
    const { lines } = watch(client(), cache);
    await waitFor(() => cache.enabled);
    stored(cache, 'a');

    mode = 'refuse';
    streams[0]!.fail(unavailable('FEED_LOST', 'The change feed stopped listening'));
    await waitFor(() => !cache.enabled);
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();

    mode = 'accept';
    await waitFor(() => cache.enabled);
    expect(streams).toHaveLength(2);
    expect(cache.get('a')).toBeUndefined();
    expect(stored(cache, 'a')).toBe(true);

    // One line per transition, however many attempts were refused in between.
    const transitions = lines().filter((line) => line.cache === 'product').map((line) => [line.level, line.msg]);
    expect(transitions).toEqual([
      ['info', 'product change feed live: product cache on'],
      ['warn', 'product change feed lost: product cache off'],
      ['info', 'product change feed live: product cache on'],
    ]);
  });

  it('treats the end of a stream at its deadline as a loss and reconnects', async () => {
    const cache = new ProductCache(10);
    const disable = jest.spyOn(cache, 'disable');
    watch(client(server.port, 1_000), cache);
    await waitFor(() => cache.enabled);
    stored(cache, 'a');
    await waitFor(() => disable.mock.calls.length > 0);
    expect(cache.get('a')).toBeUndefined();
    await waitFor(() => streams.length >= 2 && cache.enabled);
  });

  it('renews with overlap: cancelling the replaced streams never disables the cache', async () => {
    const cache = new ProductCache(10);
    const disable = jest.spyOn(cache, 'disable');
    watch(client(), cache, { renewEveryMs: 30, handoverMs: 5 });
    await waitFor(() => cache.enabled);
    stored(cache, 'a');
    await waitFor(() => streams.filter((stream) => stream.signal.aborted).length >= 3);

    expect(disable).not.toHaveBeenCalled();
    expect(cache.enabled).toBe(true);
    expect(cache.get('a')).toBeDefined();
    // Any live stream's ids count, the newest one's included.
    await streams.at(-1)!.send(['a']);
    await waitFor(() => cache.get('a') === undefined);
  });

  it('clears the cache when any live stream ends unexpectedly, even while another one keeps it on', async () => {
    const cache = new ProductCache(10);
    // Renewals pile up (nothing is retired): several confirmed streams are live at once.
    watch(client(), cache, { renewEveryMs: 50, handoverMs: 600_000 });
    await waitFor(() => cache.enabled && streams.length >= 2);
    stored(cache, 'a');
    // The oldest may have missed changes before it failed; the others only cover what came after they confirmed.
    streams[0]!.fail(unavailable('CHANGE_FEED_LOST', 'The change feed stopped listening'));
    await waitFor(() => cache.get('a') === undefined);
    expect(cache.enabled).toBe(true);
    expect(stored(cache, 'a')).toBe(true);
  });

  it('keeps the cache off, quietly, against a product service without the method (UNIMPLEMENTED)', async () => {
    const old = await startGrpcServer({
      serviceName: 'product', host: '127.0.0.1', port: 0, logger: memoryLogger('old-product').logger,
      services: [implement(GetOnlyDefinition, { getProduct: () => Promise.reject(new Error('not called')) })],
    });
    try {
      const real = client(old.port);
      let attempts = 0;
      const counting: ProductChangeSource = {
        watchProductChanges: (request, options) => {
          attempts += 1;
          return real.watchProductChanges(request, options);
        },
      };
      const cache = new ProductCache(10);
      const enable = jest.spyOn(cache, 'enable');
      const { watcher, lines } = watch(counting, cache);
      await waitFor(() => attempts >= 4);
      expect(enable).not.toHaveBeenCalled();
      expect(stored(cache, 'a')).toBe(false);
      const logged = lines().filter((line) => line.cache === 'product');
      expect(logged).toEqual([expect.objectContaining({ level: 'info', msg: 'product change feed unavailable: product cache off', grpc_code: 12 })]);
      await watcher.stop();
    } finally {
      await old.shutdown();
    }
  });

  it('stop() cancels every stream, disables the cache and opens nothing more', async () => {
    const cache = new ProductCache(10);
    const { watcher } = watch(client(), cache, { renewEveryMs: 20, handoverMs: 50_000 });
    // With a long handover the replaced streams stay open: stop() must cancel all of them.
    await waitFor(() => streams.length >= 3);
    await watcher.stop();
    expect(cache.enabled).toBe(false);
    await Promise.all(streams.map((stream) => stream.ended));
    expect(streams.every((stream) => stream.signal.aborted)).toBe(true);
    // An open already in flight at stop() may still reach the server; the watcher cancels it when it confirms.
    const opened = streams.length;
    await sleep(200);
    expect(streams.length).toBeLessThanOrEqual(opened + 1);
    await Promise.all(streams.map((stream) => stream.ended));
    expect(streams.every((stream) => stream.signal.aborted)).toBe(true);
    expect(cache.enabled).toBe(false);
  });

  it('stop() while a stream is still waiting for its first message cancels it at once, not at its deadline', async () => {
    mode = 'hold';
    const cache = new ProductCache(10);
    const { watcher } = watch(client(), cache);
    await waitFor(() => streams.length === 1);
    // The stream's deadline is 60 s: the test would time out if stop() waited for it.
    await watcher.stop();
    await streams[0]!.ended;
    expect(streams[0]!.signal.aborted).toBe(true);
    expect(cache.enabled).toBe(false);
    await sleep(100);
    expect(streams).toHaveLength(1);
  });
});
