import { unavailable } from '@shop/platform';
import type { ProductChangeFeed } from '../domain/ports';

/** The part of a server stream the relay uses (the platform's ServerStream satisfies it). */
export interface ChangeSink {
  send(message: { productIds: string[] }): Promise<void>;
  signal: AbortSignal;
}

/**
 * Relays the change feed to one stream, as WatchProductChanges promises: first an empty message once the feed
 * listens, then the changed ids. While a send is in flight, ids are gathered in a set and go out together when it
 * completes: awaiting each send is the backpressure, and a slow caller gets fewer, larger messages instead of an
 * unbounded queue (at most one id per product waits). Resolves when the caller goes away (the signal aborts);
 * rejects with UNAVAILABLE CHANGE_FEED_LOST when the feed stops listening, since changes may have been missed.
 * Always unsubscribes.
 */
export function relayProductChanges(feed: ProductChangeFeed, sink: ChangeSink): Promise<void> {
  if (sink.signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let pending = new Set<string>();
    let confirmed = false;
    let confirmationDue = false;
    let sending = false;
    let finished = false;
    let unsubscribe: () => void = () => undefined;

    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      sink.signal.removeEventListener('abort', onAbort);
      unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    };
    // The server ends the call itself (cancelled, deadline, shutdown); the handler only has to stop.
    const onAbort = (): void => finish();

    const pump = async (): Promise<void> => {
      if (sending) return;
      sending = true;
      try {
        while (!finished && (confirmationDue || (confirmed && pending.size > 0))) {
          let productIds: string[];
          if (confirmationDue) {
            // The confirmation carries no ids, whatever arrived before it (those go in the next message).
            confirmationDue = false;
            confirmed = true;
            productIds = [];
          } else {
            productIds = [...pending];
            pending = new Set();
          }
          await sink.send({ productIds });
        }
      } catch (error) {
        // After an abort the send rejects with the abort's reason; finish() already ran then.
        finish(error);
      } finally {
        sending = false;
      }
    };

    sink.signal.addEventListener('abort', onAbort, { once: true });
    unsubscribe = feed.subscribe({
      onReady() {
        confirmationDue = true;
        void pump();
      },
      onChanges(ids) {
        for (const id of ids) pending.add(id);
        if (confirmed) void pump();
      },
      onLost() {
        finish(unavailable('CHANGE_FEED_LOST', 'The product change feed stopped listening; changes may have been missed. Watch again.', 1));
      },
    });
    // The feed may have reported loss synchronously, before unsubscribe was assigned.
    if (finished) unsubscribe();
  });
}
