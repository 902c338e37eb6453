/**
 * Where each read stood when it was asked for (`capture`), and how a call made on behalf of several reads runs
 * (`run`): see batch-scope.ts for the edge's (trace and request context). A process without either passes
 * UNSCOPED, so that gathering reads costs it nothing more.
 */
export interface BatchScope<M> {
  capture(): M;
  run<T>(members: readonly M[], call: () => Promise<T>): Promise<T>;
}

export const UNSCOPED: BatchScope<undefined> = { capture: () => undefined, run: (_members, call) => call() };

export interface BatchLoaderOptions<V, M> {
  /** The key a request's value is found by; keys asked that map to the same one are asked once. */
  keyOf(asked: string): string;
  /** Most distinct keys in one call; more make several calls. */
  maxBatch: number;
  /** One call for these distinct keys; answers the values that exist, by key. */
  load(keys: string[]): Promise<ReadonlyMap<string, V>>;
  /** The error of a request whose key the call did not answer, given the key as that request asked it. */
  missing(asked: string): Error;
  scope: BatchScope<M>;
}

export interface BatchLoader<V> {
  /** Settles with the value asked for from the next call, or that call's error. */
  get(asked: string): Promise<V>;
}

interface Waiter<V, M> {
  asked: string;
  member: M;
  resolve(value: V): void;
  reject(error: unknown): void;
}

type Batch<V, M> = ReadonlyMap<string, ReadonlyArray<Waiter<V, M>>>;

/**
 * Gathers the reads asked for in one turn of the event loop into one call, sent when the turn's I/O has been handled
 * (setImmediate): a read waits for no timer, and a lone read is sent alone. When the process is busy, every request
 * that arrived in the same turn shares the call and its cost (one gRPC call, one breaker pass, one statement).
 * Each read still gets data read after it was asked for: nothing is kept between calls. Equal keys in one turn are
 * asked once.
 */
export function createBatchLoader<V, M>(options: BatchLoaderOptions<V, M>): BatchLoader<V> {
  let pending = new Map<string, Array<Waiter<V, M>>>();
  let scheduled = false;

  const flush = () => {
    const batch = pending;
    pending = new Map();
    scheduled = false;
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += options.maxBatch) {
      const chunk = new Map<string, ReadonlyArray<Waiter<V, M>>>();
      for (const key of keys.slice(start, start + options.maxBatch)) chunk.set(key, batch.get(key)!);
      send(chunk);
    }
  };

  const send = (batch: Batch<V, M>) => {
    const waiters = [...batch.values()].flat();
    let answered: Promise<ReadonlyMap<string, V>>;
    try {
      answered = options.scope.run(waiters.map((waiter) => waiter.member), () => options.load([...batch.keys()]));
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered.then(
      (values) => settle(batch, values),
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  };

  const settle = (batch: Batch<V, M>, values: ReadonlyMap<string, V>) => {
    for (const [key, waiters] of batch) {
      for (const waiter of waiters) {
        // A throw here (a broken answer, a failing `missing`) must fail this read, not leave it hanging or surface as
        // an unhandled rejection; a waiter already settled ignores the second settlement.
        try {
          const value = values.get(key);
          if (value === undefined) waiter.reject(options.missing(waiter.asked));
          else waiter.resolve(value);
        } catch (error) {
          waiter.reject(error);
        }
      }
    }
  };

  return {
    get: (asked) =>
      new Promise<V>((resolve, reject) => {
        const waiter: Waiter<V, M> = { asked, member: options.scope.capture(), resolve, reject };
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
