import { once } from 'node:events';
import { status } from '@grpc/grpc-js';
import { ProductServiceService, type WatchProductChangesResponse } from '@shop/proto/gen/shop/product/v1/product';
import { createServiceClient } from '../src/grpc/client';
import { breakerSnapshots } from '../src/grpc/breaker-registry';
import { notFound, unavailable } from '../src/errors/domain-error';
import { implement, type ServerStream } from '../src/grpc/implement';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc/server';
import { runWithRequestContext } from '../src/request-context';
import { grpcFailureOf, memoryLogger } from './support';

/** One server-streaming method is enough to exercise the server runner and the client factory end to end. */
const WatchDefinition = { watchProductChanges: ProductServiceService.watchProductChanges };

type Behaviour = (stream: ServerStream<WatchProductChangesResponse>) => Promise<void>;

/** Waits until the handler's signal is aborted. */
const untilAborted = (signal: AbortSignal) => (signal.aborted ? Promise.resolve() : once(signal, 'abort').then(() => undefined));

describe('server-streaming calls through the platform server and client', () => {
  let server: GrpcServerHandle;
  let behaviour: Behaviour;
  let handlerEnded: Promise<AbortSignal>;
  let seenRequestIds: string[];
  const clients: Array<{ close(): void }> = [];

  const client = (breaker = { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 }) => {
    const created = createServiceClient(WatchDefinition, {
      service: `stream-${clients.length}`,
      target: `127.0.0.1:${server.port}`,
      logger: memoryLogger('client').logger,
      breaker,
    });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    seenRequestIds = [];
    let markEnded: (signal: AbortSignal) => void = () => undefined;
    handlerEnded = new Promise((resolve) => (markEnded = resolve));
    server = await startGrpcServer({
      serviceName: 'product',
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger('stream-server').logger,
      shutdownGraceMs: 30_000,
      services: [
        implement(WatchDefinition, {
          async watchProductChanges(_request, ctx, stream) {
            seenRequestIds.push(ctx.requestId);
            try {
              await behaviour(stream);
            } finally {
              markEnded(stream.signal);
            }
          },
        }),
      ],
    });
  });
  afterEach(async () => {
    clients.splice(0).forEach((created) => created.close());
    await server.shutdown();
  });

  const waitUntil = async (done: () => boolean) => {
    for (let attempt = 0; attempt < 400 && !done(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!done()) throw new Error('condition not reached');
  };
  const collect = async (messages: AsyncIterable<WatchProductChangesResponse>) => {
    const ids: string[][] = [];
    for await (const message of messages) ids.push(message.productIds);
    return ids;
  };

  it('delivers every message in order, ends with OK, and carries the request id', async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: [] });
      await stream.send({ productIds: ['a', 'b'] });
      await stream.send({ productIds: ['c'] });
    };
    const messages = await runWithRequestContext({ requestId: 'req-stream-1' }, () => client().watchProductChanges({}));
    expect(await collect(messages)).toEqual([[], ['a', 'b'], ['c']]);
    expect(seenRequestIds).toEqual(['req-stream-1']);
  });

  it('rejects the open with the mapped status when the stream fails before its first message', async () => {
    behaviour = async () => {
      throw notFound('Nothing to watch');
    };
    expect(await grpcFailureOf(client().watchProductChanges({}))).toEqual({ code: status.NOT_FOUND, reason: 'NOT_FOUND' });
  });

  it('rejects the open as UNAVAILABLE when the stream ends OK without any message (nothing was confirmed)', async () => {
    behaviour = async () => undefined;
    expect(await grpcFailureOf(client().watchProductChanges({}))).toMatchObject({ code: status.UNAVAILABLE });
  });

  it('surfaces a failure after the first message to the iteration', async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: ['a'] });
      throw unavailable('FEED_LOST', 'The change feed stopped listening');
    };
    const messages = await client().watchProductChanges({});
    const seen: string[][] = [];
    const failure = await grpcFailureOf(
      (async () => {
        for await (const message of messages) seen.push(message.productIds);
      })(),
    );
    expect(seen).toEqual([['a']]);
    expect(failure).toEqual({ code: status.UNAVAILABLE, reason: 'FEED_LOST' });
  });

  it("aborts the handler's signal when the caller cancels", async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: [] });
      await untilAborted(stream.signal);
    };
    const messages = await client().watchProductChanges({});
    messages.cancel();
    const signal = await handlerEnded;
    expect(signal.aborted).toBe(true);
    expect(await grpcFailureOf(collect(messages))).toMatchObject({ code: status.CANCELLED });
  });

  it('cancels a stream still waiting for its first message when the caller aborts its signal: CANCELLED, not counted by the breaker', async () => {
    behaviour = async (stream) => untilAborted(stream.signal);
    const watcher = client({ volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 60_000 });
    for (let i = 0; i < 2; i += 1) {
      const controller = new AbortController();
      const opening = watcher.watchProductChanges({}, { signal: controller.signal });
      await waitUntil(() => seenRequestIds.length === i + 1);
      controller.abort();
      expect(await grpcFailureOf(opening)).toMatchObject({ code: status.CANCELLED });
    }
    expect((await handlerEnded).aborted).toBe(true);
    expect(breakerSnapshots().find((breaker) => breaker.name === 'stream-0.watchProductChanges')?.state).toBe('closed');
  });

  it("counts a half-open breaker's trial stream, cancelled before its first message, as a failed trial", async () => {
    const log = memoryLogger('client');
    const watcher = createServiceClient(WatchDefinition, {
      service: 'stream-trial', target: `127.0.0.1:${server.port}`, logger: log.logger,
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 300 },
    });
    clients.push(watcher);
    behaviour = async () => {
      throw unavailable('FEED_LOST', 'The change feed is not listening');
    };
    for (let i = 0; i < 2; i += 1) await grpcFailureOf(watcher.watchProductChanges({}));
    const state = () => breakerSnapshots().find((breaker) => breaker.name === 'stream-trial.watchProductChanges')?.state;
    expect(state()).toBe('open');
    // Half-open lasts until a call comes: polling cannot miss it.
    while (state() !== 'half-open') await new Promise((resolve) => setTimeout(resolve, 20));
    behaviour = async (stream) => untilAborted(stream.signal);
    const changesBefore = log.lines().length;
    const controller = new AbortController();
    const opening = watcher.watchProductChanges({}, { signal: controller.signal });
    await waitUntil(() => seenRequestIds.length === 3);
    controller.abort();
    expect(await grpcFailureOf(opening)).toEqual({ code: status.CANCELLED, reason: 'CANCELLED' });
    const verdicts = () => log.lines().slice(changesBefore).filter((line) => line.msg === 'circuit breaker state changed').map((line) => line.state);
    await waitUntil(() => verdicts().length > 0);
    expect(verdicts()[0]).toBe('open');
    expect(verdicts()).not.toContain('closed');
  });

  it('cancels a confirmed stream when the caller aborts its signal, and never calls with a signal already aborted', async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: [] });
      await untilAborted(stream.signal);
    };
    const watcher = client();
    const controller = new AbortController();
    const messages = await watcher.watchProductChanges({}, { signal: controller.signal });
    controller.abort();
    expect(await grpcFailureOf(collect(messages))).toMatchObject({ code: status.CANCELLED });
    expect((await handlerEnded).aborted).toBe(true);

    expect(await grpcFailureOf(watcher.watchProductChanges({}, { signal: controller.signal }))).toEqual({ code: status.CANCELLED, reason: 'CANCELLED' });
    expect(seenRequestIds).toHaveLength(1);
  });

  it('ends the stream at its deadline, on both sides', async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: [] });
      await untilAborted(stream.signal);
    };
    const messages = await client().watchProductChanges({}, { deadlineMs: 2_000 });
    expect(await grpcFailureOf(collect(messages))).toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect((await handlerEnded).aborted).toBe(true);
  });

  it('ends open streams with UNAVAILABLE SHUTTING_DOWN when the server shuts down, without waiting out the grace period', async () => {
    behaviour = async (stream) => {
      await stream.send({ productIds: [] });
      await untilAborted(stream.signal);
    };
    const messages = await client().watchProductChanges({});
    const ending = grpcFailureOf(collect(messages));
    // The grace period is 30 s: the test would time out if shutdown waited for the stream.
    await server.shutdown();
    expect(await ending).toEqual({ code: status.UNAVAILABLE, reason: 'SHUTTING_DOWN' });
  });

  it('counts failed opens against the breaker, which then refuses with CIRCUIT_OPEN', async () => {
    behaviour = async () => {
      throw unavailable('FEED_LOST', 'The change feed is not listening');
    };
    const watcher = client();
    expect(await grpcFailureOf(watcher.watchProductChanges({}))).toEqual({ code: status.UNAVAILABLE, reason: 'FEED_LOST' });
    expect(await grpcFailureOf(watcher.watchProductChanges({}))).toEqual({ code: status.UNAVAILABLE, reason: 'FEED_LOST' });
    expect(breakerSnapshots().find((breaker) => breaker.name === 'stream-0.watchProductChanges')?.state).toBe('open');
    expect(await grpcFailureOf(watcher.watchProductChanges({}))).toEqual({ code: status.UNAVAILABLE, reason: 'CIRCUIT_OPEN' });
  });
});
