import { captureBatchMember, runForBatch, type BatchMember } from './batch-scope';

export interface BatchLoaderOptions<V> {
  /** The span name of a call that serves several requests. */
  name: string;
  /** The key a request's value is found by; keys asked that map to the same one are asked once. */
  keyOf(asked: string): string;
  /** Most distinct keys in one call; more make several calls. */
  maxBatch: number;
  /** One call for these distinct keys; answers the values that exist, by key. */
  load(keys: string[]): Promise<ReadonlyMap<string, V>>;
  /** The error of a request whose key the call did not answer, given the key as that request asked it. */
  missing(asked: string): Error;
}

export interface BatchLoader<V> {
  /** Settles with the value asked for from the next call, or that call's error. */
  get(asked: string): Promise<V>;
}

interface Waiter<V> {
  asked: string;
  member: BatchMember;
  resolve(value: V): void;
  reject(error: unknown): void;
}

/**
 * Gathers the reads asked for in one turn of the event loop into one call, sent when the turn's I/O has been handled
 * (setImmediate): a read waits for no timer, and a lone read is sent alone. When the process is busy, every request
 * that arrived in the same turn shares the call and its cost (one gRPC call, one breaker pass, one statement).
 * Each read still gets data read after it was asked for: nothing is kept between calls. Equal keys in one turn are
 * asked once.
 */
export function createBatchLoader<V>(options: BatchLoaderOptions<V>): BatchLoader<V> {
  let pending = new Map<string, Array<Waiter<V>>>();
  let scheduled = false;

  const flush = () => {
    const batch = pending;
    pending = new Map();
    scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += options.maxBatch) send(keys.slice(start, start + options.maxBatch), batch);
  };

  const send = (keys: string[], batch: ReadonlyMap<string, Array<Waiter<V>>>) => {
    const waiters = keys.flatMap((key) => batch.get(key)!);
    let answered: Promise<ReadonlyMap<string, V>>;
    try {
      answered = runForBatch(options.name, waiters.map((waiter) => waiter.member), () => options.load(keys));
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered.then(
      (values) => {
        for (const key of keys) {
          const value = values.get(key);
          for (const waiter of batch.get(key)!) {
            if (value === undefined) waiter.reject(options.missing(waiter.asked));
            else waiter.resolve(value);
          }
        }
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  };

  return {
    get: (asked) =>
      new Promise<V>((resolve, reject) => {
        const waiter: Waiter<V> = { asked, member: captureBatchMember(), resolve, reject };
        const key = options.keyOf(asked);
        const waiters = pending.get(key);
        if (waiters) waiters.push(waiter);
        else pending.set(key, [waiter]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }),
  };
}
