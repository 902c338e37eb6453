import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { parseServiceError } from '../src/errors/grpc-status';
import { breakerSnapshots } from '../src/grpc/breaker-registry';
import { closeCallBreaker, createCallBreaker, type CallAction, type CallArgs } from '../src/grpc/call-breaker';
import { memoryLogger } from './support';

const remoteError = (code: status): ServiceError => Object.assign(new Error(status[code]), { code, details: status[code], metadata: new Metadata() });

const args = (attempt = 0): CallArgs => [{ id: 'x' }, new Metadata(), Date.now() + 1_000, attempt, undefined];

const settled = async (promise: Promise<unknown>): Promise<{ value?: unknown; error?: ServiceError }> => {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as ServiceError };
  }
};

describe('createCallBreaker', () => {
  const created: Array<[string, ReturnType<typeof createCallBreaker<unknown>>]> = [];
  afterEach(() => created.splice(0).forEach(([name, breaker]) => closeCallBreaker(name, breaker)));

  const build = (action: CallAction<unknown>, more: Partial<Parameters<typeof createCallBreaker<unknown>>[1]> = {}) => {
    const log = memoryLogger('caller');
    const name = more.name ?? 'payment.getPayment';
    const breaker = createCallBreaker(action, {
      name,
      service: 'payment',
      logger: log.logger,
      settings: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 3_000 },
      ...more,
    });
    created.push([name, breaker]);
    return { breaker, lines: log.lines };
  };

  it('passes the call arguments to the action and its answer back, and registers under its name', async () => {
    const seen: CallArgs[] = [];
    const { breaker } = build(async (...call) => {
      seen.push(call);
      return { ok: true };
    });
    const call = args(1);
    expect(await breaker.fire(...call)).toEqual({ ok: true });
    expect(seen).toEqual([call]);
    expect(breakerSnapshots().find((snapshot) => snapshot.name === 'payment.getPayment')).toMatchObject({ state: 'closed', fires: 1, failures: 0 });
  });

  it('lets business errors through as they are, without counting them or consulting the failure handler', async () => {
    const onCountedFailure = jest.fn(async () => 'retried');
    const { breaker } = build(() => Promise.reject(remoteError(status.NOT_FOUND)), { onCountedFailure });
    for (let i = 0; i < 4; i += 1) expect((await settled(breaker.fire(...args()))).error?.code).toBe(status.NOT_FOUND);
    expect(onCountedFailure).not.toHaveBeenCalled();
    expect(breaker.opened).toBe(false);
  });

  it('hands a counted failure and the call arguments to onCountedFailure, whose answer settles the call', async () => {
    const failure = remoteError(status.UNAVAILABLE);
    const onCountedFailure = jest.fn(async () => 'retried');
    const { breaker } = build(() => Promise.reject(failure), { onCountedFailure, settings: { volumeThreshold: 100 } });
    const call = args(0);
    expect(await breaker.fire(...call)).toBe('retried');
    expect(onCountedFailure).toHaveBeenCalledWith(failure, ...call);
  });

  it('rethrows a counted failure when there is no handler', async () => {
    const { breaker } = build(() => Promise.reject(remoteError(status.INTERNAL)), { settings: { volumeThreshold: 100 } });
    expect((await settled(breaker.fire(...args()))).error?.code).toBe(status.INTERNAL);
  });

  it('opens on repeated failures, logs it, then refuses as UNAVAILABLE CIRCUIT_OPEN with a retry time, without calling the action', async () => {
    const action = jest.fn(() => Promise.reject(remoteError(status.UNAVAILABLE)));
    const { breaker, lines } = build(action);
    for (let i = 0; i < 2; i += 1) await settled(breaker.fire(...args()));
    expect(breaker.opened).toBe(true);
    expect(lines()).toContainEqual(expect.objectContaining({ breaker: 'payment.getPayment', state: 'open', msg: 'circuit breaker state changed' }));
    const calls = action.mock.calls.length;

    const { error } = await settled(breaker.fire(...args()));
    expect(action.mock.calls.length).toBe(calls);
    expect(error?.code).toBe(status.UNAVAILABLE);
    const remote = parseServiceError(error!);
    expect(remote).toMatchObject({ reason: 'CIRCUIT_OPEN', domain: 'shop.payment', metadata: { service: 'payment' } });
    // The reset timeout is 3 s: whole seconds left of it, at least one.
    expect(remote.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(remote.retryAfterSeconds).toBeLessThanOrEqual(3);
  });

  it('leaves the registry when closed', () => {
    const { breaker } = build(async () => 'ok', { name: 'payment.closing' });
    expect(breakerSnapshots().some((snapshot) => snapshot.name === 'payment.closing')).toBe(true);
    closeCallBreaker('payment.closing', breaker);
    expect(breakerSnapshots().some((snapshot) => snapshot.name === 'payment.closing')).toBe(false);
  });
});
