import { status } from '@grpc/grpc-js';
import { DomainError } from '@shop/platform';
import { Bulkhead } from './bulkhead';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('Bulkhead', () => {
  it('runs at most `limit` tasks at once and the queued ones in arrival order', async () => {
    const bulkhead = new Bulkhead({ limit: 2, maxQueued: 10, maxWaitMs: 10_000, runBudgetMs: 0 });
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, index) =>
      bulkhead.run(async () => {
        started.push(index);
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it('refuses with RESOURCE_EXHAUSTED CHECKOUT_BUSY when the queue is full or the caller cannot wait', async () => {
    const bulkhead = new Bulkhead({ limit: 1, maxQueued: 1, maxWaitMs: 10_000, runBudgetMs: 5_000 });
    const gate = deferred();
    const first = bulkhead.run(() => gate.promise);
    const queued = bulkhead.run(async () => 'queued');
    const overflow = bulkhead.run(async () => 'overflow').catch((error: unknown) => error);
    const hurried = bulkhead.run(async () => 'hurried', Date.now() + 1_000).catch((error: unknown) => error);

    for (const refusal of [await overflow, await hurried]) {
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: 'CHECKOUT_BUSY', retryAfterSeconds: 1 });
    }
    gate.resolve();
    await first;
    expect(await queued).toBe('queued');
  });
});
