import { runWithRequestContext, currentRequestContext } from '@shop/platform';
import { createBatchLoader, type BatchLoaderOptions } from '../src/reads/batch-loader';
import { requestBatchScope, type BatchMember } from '../src/reads/batch-scope';

/** A loader over a small table, recording every call's keys and the request context it ran in. */
function tableLoader(table: Record<string, string>, overrides: Partial<BatchLoaderOptions<string, BatchMember>> = {}) {
  const calls: Array<{ keys: string[]; requestId: string | undefined }> = [];
  const loader = createBatchLoader<string, BatchMember>({
    scope: requestBatchScope('test batch'),
    keyOf: (asked) => asked.toLowerCase(),
    maxBatch: 3,
    load: (keys) => {
      calls.push({ keys, requestId: currentRequestContext()?.requestId });
      return Promise.resolve(new Map(keys.filter((key) => key in table).map((key) => [key, table[key]!])));
    },
    missing: (asked) => new Error(`no ${asked}`),
    ...overrides,
  });
  return { loader, calls };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatchLoader', () => {
  it('asks for everything asked in one turn in one call, each distinct key once', async () => {
    const { loader, calls } = tableLoader({ a: 'A', b: 'B' });
    const answers = await Promise.all([loader.get('a'), loader.get('B'), loader.get('A')]);
    expect(answers).toEqual(['A', 'B', 'A']);
    expect(calls.map((call) => call.keys)).toEqual([['a', 'b']]);
  });

  it('sends reads of different turns in different calls', async () => {
    const { loader, calls } = tableLoader({ a: 'A', b: 'B' });
    const first = loader.get('a');
    await nextTurn();
    const second = loader.get('b');
    expect(await Promise.all([first, second])).toEqual(['A', 'B']);
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['b']]);
  });

  it('splits a turn with more distinct keys than one call takes', async () => {
    const table = Object.fromEntries(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].map((key) => [key, key.toUpperCase()]));
    const { loader, calls } = tableLoader(table);
    const answers = await Promise.all(Object.keys(table).map((key) => loader.get(key)));
    expect(answers).toEqual(Object.values(table));
    expect(calls.map((call) => call.keys)).toEqual([['k1', 'k2', 'k3'], ['k4', 'k5', 'k6'], ['k7']]);
  });

  it('fails only the reads whose key the call did not answer, each with the key as it asked', async () => {
    const { loader } = tableLoader({ a: 'A' });
    const [found, missing, missingAgain] = await Promise.allSettled([loader.get('a'), loader.get('Gone'), loader.get('GONE')]);
    expect(found).toEqual({ status: 'fulfilled', value: 'A' });
    expect(missing).toMatchObject({ status: 'rejected', reason: new Error('no Gone') });
    expect(missingAgain).toMatchObject({ status: 'rejected', reason: new Error('no GONE') });
  });

  it('fails every read of a failed call, and only those', async () => {
    let failNext = true;
    const { loader, calls } = tableLoader({ a: 'A', b: 'B' }, {
      maxBatch: 1,
      load: (keys: string[]) => {
        calls.push({ keys, requestId: undefined });
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('service down'));
        }
        return Promise.resolve(new Map(keys.map((key: string) => [key, key.toUpperCase()])));
      },
    });
    const settled = await Promise.allSettled([loader.get('a'), loader.get('a'), loader.get('b')]);
    expect(settled).toEqual([
      { status: 'rejected', reason: new Error('service down') },
      { status: 'rejected', reason: new Error('service down') },
      { status: 'fulfilled', value: 'B' },
    ]);
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['b']]);
  });

  it('fails, never strands, the reads of a call whose answer is broken', async () => {
    const broken = { get: () => { throw new Error('not a map'); } } as unknown as ReadonlyMap<string, string>;
    const { loader } = tableLoader({}, { load: () => Promise.resolve(broken) });
    const settled = await Promise.allSettled([loader.get('a'), loader.get('b')]);
    expect(settled).toEqual([
      { status: 'rejected', reason: new Error('not a map') },
      { status: 'rejected', reason: new Error('not a map') },
    ]);
  });

  it('turns a loader that throws instead of rejecting into failed reads', async () => {
    const { loader } = tableLoader({}, { load: () => { throw new Error('broken'); } });
    await expect(loader.get('a')).rejects.toThrow('broken');
  });

  it('runs a lone read in its own request context, and a shared call in one of its own', async () => {
    const { loader, calls } = tableLoader({ a: 'A', b: 'B' });
    await runWithRequestContext({ requestId: 'lone' }, () => loader.get('a'));
    await Promise.all([
      runWithRequestContext({ requestId: 'first' }, () => loader.get('a')),
      runWithRequestContext({ requestId: 'second' }, () => loader.get('b')),
    ]);
    expect(calls[0]).toEqual({ keys: ['a'], requestId: 'lone' });
    expect(calls[1]!.keys).toEqual(['a', 'b']);
    expect(calls[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
