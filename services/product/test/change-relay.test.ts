import { status } from '@grpc/grpc-js';
import { DomainError } from '@shop/platform';
import type { ProductChangeFeed, ProductChangeSubscriber } from '../src/domain/ports';
import { relayProductChanges, type ChangeSink } from '../src/grpc/product-change-relay';

// The relay alone, over a fake feed and a sink whose sends complete only when the test says so: no database, no
// gRPC, no timers. The real feed and stream are covered by change-feed.test.ts.

/** A feed with one subscriber at a time, driven by the test. */
function fakeFeed() {
  let current: ProductChangeSubscriber | undefined;
  let unsubscribed = 0;
  const feed: ProductChangeFeed = {
    subscribe(subscriber) {
      current = subscriber;
      return () => {
        unsubscribed += 1;
        current = undefined;
      };
    },
  };
  const subscriber = (): ProductChangeSubscriber => {
    if (!current) throw new Error('nobody is subscribed');
    return current;
  };
  return { feed, subscriber, unsubscribedCount: () => unsubscribed };
}

/** A sink that records messages and holds every send until release() (or fail()). */
function heldSink() {
  const controller = new AbortController();
  const sent: string[][] = [];
  const waiting: Array<{ resolve(): void; reject(error: Error): void }> = [];
  const sink: ChangeSink = {
    signal: controller.signal,
    send(message) {
      sent.push(message.productIds);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
  /** Completes the oldest send in flight and waits until the relay reacted (one more send, or idle). */
  const release = async () => {
    waiting.shift()?.resolve();
    await flush();
  };
  const fail = async (error: Error) => {
    waiting.shift()?.reject(error);
    await flush();
  };
  return { sink, sent, release, fail, abort: () => controller.abort(), inFlight: () => waiting.length };
}

/** Lets pending promise callbacks run (the relay's pump continues after an awaited send). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('relayProductChanges', () => {
  it('sends an empty confirmation first, even when changes arrived before the feed was ready', async () => {
    const { feed, subscriber } = fakeFeed();
    const { sink, sent, release } = heldSink();
    void relayProductChanges(feed, sink);
    subscriber().onChanges(['early']);
    expect(sent).toEqual([]);
    subscriber().onReady();
    expect(sent).toEqual([[]]);
    await release();
    expect(sent).toEqual([[], ['early']]);
  });

  it('gathers ids while a send is in flight and sends them as one message, each id once, in first-seen order', async () => {
    const { feed, subscriber } = fakeFeed();
    const { sink, sent, release, inFlight } = heldSink();
    void relayProductChanges(feed, sink);
    subscriber().onReady();
    await release();
    subscriber().onChanges(['a']);
    expect(sent).toEqual([[], ['a']]);
    // 'a' is in flight: everything now waits for it to complete.
    subscriber().onChanges(['b']);
    subscriber().onChanges(['a', 'c']);
    subscriber().onChanges(['b']);
    expect(inFlight()).toBe(1);
    await release();
    expect(sent).toEqual([[], ['a'], ['b', 'a', 'c']]);
    await release();
    // Nothing waits: no empty message is sent.
    expect(sent).toHaveLength(3);
    expect(inFlight()).toBe(0);
  });

  it('resolves and unsubscribes when the caller goes away, and sends nothing more', async () => {
    const { feed, subscriber, unsubscribedCount } = fakeFeed();
    const { sink, sent, release, abort } = heldSink();
    const relay = relayProductChanges(feed, sink);
    subscriber().onReady();
    await release();
    abort();
    await expect(relay).resolves.toBeUndefined();
    expect(unsubscribedCount()).toBe(1);
    expect(sent).toEqual([[]]);
  });

  it('rejects with UNAVAILABLE CHANGE_FEED_LOST when the feed is lost, and unsubscribes', async () => {
    const { feed, subscriber, unsubscribedCount } = fakeFeed();
    const { sink, release } = heldSink();
    const relay = relayProductChanges(feed, sink);
    subscriber().onReady();
    await release();
    subscriber().onChanges(['a']);
    // Lost while 'a' is in flight: the stream must end with the error, not quietly.
    subscriber().onLost(new Error('connection terminated'));
    const error = await relay.then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: status.UNAVAILABLE, reason: 'CHANGE_FEED_LOST' });
    expect(unsubscribedCount()).toBe(1);
  });

  it('rejects with the transport error when a send fails, and unsubscribes', async () => {
    const { feed, subscriber, unsubscribedCount } = fakeFeed();
    const { sink, fail } = heldSink();
    const relay = relayProductChanges(feed, sink);
    const outcome = relay.then(() => 'resolved', (reason: unknown) => reason);
    subscriber().onReady();
    const broken = new Error('write after end');
    await fail(broken);
    expect(await outcome).toBe(broken);
    expect(unsubscribedCount()).toBe(1);
  });

  it('does not subscribe for a caller that is already gone', async () => {
    const { feed, unsubscribedCount } = fakeFeed();
    const { sink, abort } = heldSink();
    const subscribe = jest.spyOn(feed, 'subscribe');
    abort();
    await expect(relayProductChanges(feed, sink)).resolves.toBeUndefined();
    expect(subscribe).not.toHaveBeenCalled();
    expect(unsubscribedCount()).toBe(0);
  });
});
