import { DEFAULT_CONNECTION_TIMEOUT_MS, type Logger } from '@shop/platform';
import { Client, type Notification } from 'pg';
import type { ProductChangeFeed, ProductChangeSubscriber } from '../domain/ports';

/** The channel the products triggers notify on (prisma/migrations/0002_product_change_notify). */
export const PRODUCT_CHANGES_CHANNEL = 'product_changes';
/** How the session shows in pg_stat_activity, so an operator (or a test) can find it. */
export const CHANGE_FEED_APPLICATION_NAME = 'product-change-feed';

export interface ProductChangeFeedOptions {
  /** The service's database, the same one its pool uses. */
  connectionString: string;
  logger: Logger;
  /** As the pool's (DATABASE_CONNECT_TIMEOUT_MS); default 10 s. */
  connectionTimeoutMs?: number;
  /** How often the listening session is checked with `SELECT 1`; default 15 s. */
  heartbeatIntervalMs?: number;
  /** How long that check may take before the session counts as dead; default 5 s. */
  heartbeatTimeoutMs?: number;
}

export interface ClosableProductChangeFeed extends ProductChangeFeed {
  /** Ends the session; current subscribers get onLost, later subscribe calls get onLost at once. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000;
/** How long close() waits for PostgreSQL's goodbye; a dead socket is destroyed by pg itself. */
const END_WAIT_MS = 2_000;

interface Subscription {
  subscriber: ProductChangeSubscriber;
  /** onReady was called: only then does it receive changes. */
  ready: boolean;
}

/** One LISTEN session. A lost or closed session is never reused: the next subscriber opens a new one. */
interface Session {
  client: Client;
  listening: boolean;
  over: boolean;
  heartbeat?: NodeJS.Timeout;
  /** A heartbeat is in flight: the next tick does not stack another on a slow session. */
  checking: boolean;
}

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * The products change feed: one dedicated `pg.Client` (LISTEN belongs to a session, so never a pooled connection,
 * whose session other queries share and which the pool may close) that LISTENs on `product_changes` while anyone is
 * subscribed, and fans every notification out to all subscribers.
 *
 * A lost session (the client's 'error'/'end', or a heartbeat `SELECT 1` that fails or hangs: a silently dead
 * network is only seen by asking) means notifications may have been missed: every subscriber gets onLost once and
 * is dropped, so each of them decides how to recover (the gRPC stream ends with UNAVAILABLE, its caller re-watches
 * and discards what it cached). The next subscribe opens a new session.
 */
export function createProductChangeFeed(options: ProductChangeFeedOptions): ClosableProductChangeFeed {
  const { logger } = options;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  const subscriptions = new Set<Subscription>();
  let session: Session | undefined;
  let closed = false;

  /** Ends the session's connection without waiting on a socket that may be dead; resolves when it ended or gave up. */
  const endSession = (ending: Session): Promise<void> => {
    ending.over = true;
    clearInterval(ending.heartbeat);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, END_WAIT_MS);
      timer.unref();
    });
    return Promise.race([ending.client.end().catch(() => undefined), gaveUp]).finally(() => clearTimeout(timer));
  };

  /** The session stopped listening: tell every subscriber once, forget them, and start afresh on the next one. */
  const lose = (lost: Session, error: Error): void => {
    if (lost.over) return;
    if (session === lost) session = undefined;
    void endSession(lost);
    logger.warn({ err: error, subscribers: subscriptions.size }, 'product change feed lost its LISTEN session (or could not open one)');
    const dropped = [...subscriptions];
    subscriptions.clear();
    for (const { subscriber } of dropped) subscriber.onLost(error);
  };

  const checkAlive = async (checked: Session): Promise<void> => {
    if (checked.checking || checked.over) return;
    checked.checking = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`The LISTEN session did not answer SELECT 1 within ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs);
    });
    try {
      await Promise.race([checked.client.query('SELECT 1'), timedOut]);
    } catch (error) {
      lose(checked, asError(error));
    } finally {
      clearTimeout(timer);
      checked.checking = false;
    }
  };

  const open = (): void => {
    const client = new Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      // TCP keepalive: a peer that vanished is eventually noticed by the kernel even between heartbeats.
      keepAlive: true,
      application_name: CHANGE_FEED_APPLICATION_NAME,
    });
    const opened: Session = { client, listening: false, over: false, checking: false };
    session = opened;
    // Both stay attached after the session is over: a late socket error must never crash the process.
    client.on('error', (error) => lose(opened, error));
    client.on('end', () => lose(opened, new Error('The LISTEN connection ended')));
    client.on('notification', (message: Notification) => {
      if (opened.over || message.channel !== PRODUCT_CHANGES_CHANNEL || !message.payload) return;
      if (logger.isLevelEnabled('debug')) logger.debug({ productId: message.payload }, 'product changed');
      const ids = [message.payload];
      for (const subscription of subscriptions) if (subscription.ready) subscription.subscriber.onChanges(ids);
    });
    void (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${PRODUCT_CHANGES_CHANNEL}`);
      } catch (error) {
        lose(opened, asError(error));
        return;
      }
      // Every subscriber left (or close() ran) while connecting: endSession already ran.
      if (opened.over) return;
      opened.listening = true;
      opened.heartbeat = setInterval(() => void checkAlive(opened), heartbeatIntervalMs);
      // The heartbeat alone must not keep a process alive.
      opened.heartbeat.unref();
      logger.info({ subscribers: subscriptions.size }, 'product change feed listening');
      for (const subscription of subscriptions) markReady(subscription);
    })();
  };

  const markReady = (subscription: Subscription): void => {
    if (subscription.ready || !subscriptions.has(subscription)) return;
    subscription.ready = true;
    subscription.subscriber.onReady();
  };

  return {
    subscribe(subscriber) {
      const subscription: Subscription = { subscriber, ready: false };
      if (closed) {
        // Asynchronous like every other callback, so the caller holds its unsubscribe function first.
        queueMicrotask(() => subscriber.onLost(new Error('The product change feed is closed')));
        return () => undefined;
      }
      subscriptions.add(subscription);
      if (!session) open();
      else if (session.listening) {
        const current = session;
        queueMicrotask(() => {
          if (current === session) markReady(subscription);
        });
      }
      return () => {
        if (!subscriptions.delete(subscription)) return;
        if (subscriptions.size === 0 && session) {
          const idle = session;
          session = undefined;
          void endSession(idle);
          logger.info('product change feed stopped listening: no subscribers');
        }
      };
    },

    async close() {
      closed = true;
      const dropped = [...subscriptions];
      subscriptions.clear();
      const current = session;
      session = undefined;
      for (const { subscriber } of dropped) subscriber.onLost(new Error('The product change feed is closed'));
      if (current) await endSession(current);
    },
  };
}
