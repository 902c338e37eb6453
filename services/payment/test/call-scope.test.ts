import { withCallScope } from '../src/grpc/call-scope';

describe('withCallScope', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('aborts the signal with a TimeoutError when the caller\'s deadline passes during the work', async () => {
    jest.useFakeTimers();
    const reason = withCallScope({ deadline: Date.now() + 1_000 }, (scope) =>
      new Promise<unknown>((resolve) => scope.signal.addEventListener('abort', () => resolve(scope.signal.reason))));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(await reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('leaves no timer behind once the work is done', async () => {
    jest.useFakeTimers();
    const scope = await withCallScope({ deadline: Date.now() + 60_000 }, async (scope) => scope);
    expect(jest.getTimerCount()).toBe(0);
    expect(scope.signal.aborted).toBe(false);
    await expect(withCallScope({ deadline: Date.now() + 60_000 }, async () => {
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('starts aborted when the deadline already passed, and never aborts without one', async () => {
    expect(await withCallScope({ deadline: Date.now() - 1 }, async (scope) => scope.signal.aborted)).toBe(true);
    expect(await withCallScope({ deadline: undefined }, async (scope) => ({ deadline: scope.deadline, aborted: scope.signal.aborted })))
      .toEqual({ deadline: undefined, aborted: false });
  });
});
