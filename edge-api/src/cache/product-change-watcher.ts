import type { Logger } from '@shop/platform';
import type { WatchProductChangesRequest, WatchProductChangesResponse } from '@shop/proto/gen/shop/product/v1/product';
import { failureLogFields } from '../failure-log-fields';
import type { ProductCache } from './product-cache';

/** The platform client's server stream, as far as the watcher uses it. */
export interface ChangeStream extends AsyncIterable<WatchProductChangesResponse> {
  cancel(): void;
}

/**
 * The one call the watcher makes: clients.product has it. It settles once the stream's first message arrived
 * (the feed listens from then on) and rejects if the stream failed before; its deadline bounds each stream.
 */
export interface ProductChangeSource {
  /** Aborting `signal` cancels the call, also before its first message (the open then rejects). */
  watchProductChanges(request: WatchProductChangesRequest, options: { signal: AbortSignal }): Promise<ChangeStream>;
}

export interface ProductChangeWatcherOptions {
  source: ProductChangeSource;
  cache: ProductCache;
  logger: Logger;
  /**
   * How often a new stream is opened while one is live. Well under the stream's deadline and the product
   * server's connection age (5 min + 30 s grace), so a stream is always replaced before either ends it.
   */
  renewEveryMs?: number;
  /**
   * How long the older streams stay open after a newer one confirmed: a notice the feed sent on an older stream
   * just before the newer one started listening may still be on its way.
   */
  handoverMs?: number;
  /** Reconnect backoff after a failed open or a lost stream: doubles from the first to the last, with jitter. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface ProductChangeWatcher {
  start(): void;
  /** Cancels every stream (one still opening too) and timer and disables the cache; resolves once every stream has ended. */
  stop(): Promise<void>;
}

interface Live {
  stream: ChangeStream;
  /** Cancelled by the watcher itself (replaced, or stopping): its end is expected, not a loss. */
  retired: boolean;
  /** The pump's promise: settles when the stream ended, never rejects. */
  ended: Promise<void>;
}

/**
 * Keeps the product service's change feed open and the product cache honest with it: the cache is enabled only
 * while a confirmed stream (first message received) is live, every id any live stream reports is invalidated, and
 * when the last confirmed stream ends unexpectedly the cache is disabled (cleared) until a new one confirms.
 *
 * Streams are renewed with overlap: a new one is opened every renewEveryMs and the older ones are cancelled only
 * after it confirmed (plus handoverMs), so there is no moment without a listening feed.
 */
export function createProductChangeWatcher(options: ProductChangeWatcherOptions): ProductChangeWatcher {
  const { source, cache, logger } = options;
  const renewEveryMs = options.renewEveryMs ?? 20_000;
  const handoverMs = options.handoverMs ?? 2_000;
  const backoffInitialMs = options.backoffInitialMs ?? 250;
  const backoffMaxMs = options.backoffMaxMs ?? 10_000;

  /** The confirmed streams counted on: not retired, not ended. The cache is enabled exactly while this is not empty. */
  const lives = new Set<Live>();
  /** Every stream's pump until it ended, retired ones included: stop() waits for them. */
  const ending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  /** Aborted by stop(): cancels an open still waiting for its stream's first message, which no retire() reaches. */
  const stopping = new AbortController();
  let nextOpen: NodeJS.Timeout | undefined;
  let opening = false;
  let started = false;
  let stopped = false;
  /** Consecutive failed opens and lost streams; reset once a stream lived until its renewal. */
  let failures = 0;
  /** What was last logged, so that a transition is logged once and not every attempt. */
  let reported: 'none' | 'live' | 'down' = 'none';

  const later = (ms: number, work: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    // The edge's server keeps the process alive; the watcher alone must not.
    timer.unref();
    timers.add(timer);
    return timer;
  };

  const backoff = (): number => {
    const ceiling = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
    // Full jitter in the upper half: edges that lost the feed together do not come back in lockstep.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  /** One pending open at a time: a retry after a loss replaces a renewal that was due later. */
  const scheduleOpen = (ms: number, renewal: boolean) => {
    if (stopped) return;
    if (nextOpen !== undefined) {
      clearTimeout(nextOpen);
      timers.delete(nextOpen);
    }
    nextOpen = later(ms, () => {
      nextOpen = undefined;
      // A renewal while a stream is still live: that stream lived its whole period, the feed is healthy again.
      if (renewal && lives.size > 0) failures = 0;
      open();
    });
  };

  const reportDown = (message: string, details: Record<string, unknown>) => {
    if (reported === 'down') return;
    // Losing a live feed is worth a warning; never having had one (starting up, an older product service) is not.
    const level = reported === 'live' ? 'warn' : 'info';
    reported = 'down';
    logger[level]({ ...details, cache: 'product' }, message);
  };

  const open = () => {
    if (stopped || opening) return;
    opening = true;
    const opened = source.watchProductChanges({}, { signal: stopping.signal }).then(confirmed, (error: unknown) => {
      opening = false;
      if (stopped) return;
      failures += 1;
      // Only the transition is logged; an old product service (UNIMPLEMENTED) or an open breaker just keeps it off.
      if (lives.size === 0) reportDown('product change feed unavailable: product cache off', failureLogFields(error));
      scheduleOpen(backoff(), false);
    });
    ending.add(opened);
    void opened.then(() => ending.delete(opened));
  };

  const confirmed = (stream: ChangeStream) => {
    opening = false;
    if (stopped) {
      stream.cancel();
      return;
    }
    const older = [...lives];
    const live: Live = { stream, retired: false, ended: Promise.resolve() };
    lives.add(live);
    live.ended = pump(live);
    ending.add(live.ended);
    void live.ended.then(() => ending.delete(live.ended));
    if (!cache.enabled) cache.enable();
    if (reported !== 'live') {
      logger.info({ cache: 'product', restored: reported === 'down' }, 'product change feed live: product cache on');
      reported = 'live';
    }
    // Only while the new stream is still live: if it ended meanwhile, the older ones are what covers the feed.
    if (older.length > 0) later(handoverMs, () => lives.has(live) && older.forEach(retire));
    scheduleOpen(renewEveryMs, true);
  };

  /** Cancels a stream and stops counting on it at once: its end, whenever it comes, is expected. */
  const retire = (live: Live) => {
    live.retired = true;
    lives.delete(live);
    live.stream.cancel();
  };

  const pump = async (live: Live): Promise<void> => {
    let failure: unknown;
    try {
      // A retired stream still invalidates what it delivers before its cancellation lands.
      for await (const message of live.stream) {
        for (const id of message.productIds) cache.invalidate(id);
      }
    } catch (error) {
      failure = error;
    }
    if (stopped || live.retired) return;
    lives.delete(live);
    // Ended by the server or its deadline: it may have missed changes for some time before it ended (a LISTEN
    // session that died silently is only noticed by the feed's heartbeat), and another live stream only covers
    // changes committed after it confirmed. So what is cached is dropped either way; if another confirmed stream
    // is live, storing resumes at once (reads in flight are still dropped, by the epoch).
    cache.disable();
    if (lives.size > 0) {
      cache.enable();
      logger.info({ cache: 'product', ...(failure === undefined ? { ended: 'ok' } : failureLogFields(failure)) }, 'a product change stream ended: product cache flushed');
      return;
    }
    failures += 1;
    reportDown('product change feed lost: product cache off', failure === undefined ? { ended: 'ok' } : failureLogFields(failure));
    // An open in flight (a renewal) confirms or fails on its own; otherwise reconnect now rather than at renewal.
    if (!opening) scheduleOpen(backoff(), false);
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      open();
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      nextOpen = undefined;
      [...lives].forEach(retire);
      stopping.abort();
      cache.disable();
      await Promise.all([...ending]);
    },
  };
}
