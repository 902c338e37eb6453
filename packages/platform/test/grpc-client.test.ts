import { status, type ServiceError } from '@grpc/grpc-js';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { createServiceClient, type ServiceClient, type ServiceClientOptions } from '../src/grpc/client';
import { runWithRequestContext } from '../src/request-context';
import { breakerSnapshots } from '../src/grpc/breaker-registry';
import type { GrpcServerHandle } from '../src/grpc/server';
import { parseServiceError } from '../src/errors/grpc-status';
import { delay, grpcFailureOf, memoryLogger, startBehaviourServer } from './support';

const codeOf = async (promise: Promise<unknown>): Promise<status> => {
  try {
    await promise;
    return status.OK;
  } catch (error) {
    return (error as ServiceError).code;
  }
};

describe('client factory against a real server', () => {
  let server: GrpcServerHandle;
  let received: string[];
  let seen: Awaited<ReturnType<typeof startBehaviourServer>>['seen'];
  const clients: Array<ServiceClient<typeof PaymentServiceService>> = [];
  const clientFor = (
    breaker = { resetTimeoutMs: 400, volumeThreshold: 3, errorThresholdPercentage: 50 },
    more: Partial<ServiceClientOptions<typeof PaymentServiceService>> = {},
  ) => {
    const client = createServiceClient(PaymentServiceService, {
      service: 'payment',
      target: `127.0.0.1:${server.port}`,
      logger: memoryLogger('client').logger,
      defaultDeadlineMs: 200,
      breaker,
      ...more,
    });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    ({ server, received, seen } = await startBehaviourServer());
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await server.shutdown();
  });

  it('fails a slow call with DEADLINE_EXCEEDED at the deadline', async () => {
    const client = clientFor();
    const started = Date.now();
    expect(await codeOf(client.getPayment({ paymentId: 'slow-1' }))).toBe(status.DEADLINE_EXCEEDED);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(900);
  });

  it('opens the breaker on repeated UNAVAILABLE, then fails fast without reaching the server', async () => {
    const client = clientFor();
    for (let i = 0; i < 3; i += 1) expect(await codeOf(client.getPayment({ paymentId: `down-${i}` }))).toBe(status.UNAVAILABLE);
    expect(breakerSnapshots().find((b) => b.name === 'payment.getPayment')?.state).toBe('open');
    const reachedBefore = received.length;

    let failure: ServiceError | undefined;
    try {
      await client.getPayment({ paymentId: 'would-succeed' });
    } catch (error) {
      failure = error as ServiceError;
    }
    expect(failure?.code).toBe(status.UNAVAILABLE);
    const remote = parseServiceError(failure!);
    expect(remote.reason).toBe('CIRCUIT_OPEN');
    expect(remote.retryAfterSeconds).toBeGreaterThan(0);
    expect(received.length).toBe(reachedBefore);
  });

  it('never opens the breaker on NOT_FOUND', async () => {
    const client = clientFor();
    for (let i = 0; i < 8; i += 1) expect(await codeOf(client.getPayment({ paymentId: `missing-${i}` }))).toBe(status.NOT_FOUND);
    expect(breakerSnapshots().find((b) => b.name === 'payment.getPayment')?.state).toBe('closed');
    expect(await codeOf(client.getPayment({ paymentId: 'ok' }))).toBe(status.OK);
    expect(received).toHaveLength(9);
  });

  it('lets one trial call through after the reset timeout and closes again when it succeeds', async () => {
    const client = clientFor();
    for (let i = 0; i < 3; i += 1) await codeOf(client.getPayment({ paymentId: `down-${i}` }));
    expect(await codeOf(client.getPayment({ paymentId: 'ok-early' }))).toBe(status.UNAVAILABLE);
    expect(received).not.toContain('ok-early');
    await delay(500);
    expect(await codeOf(client.getPayment({ paymentId: 'ok-trial' }))).toBe(status.OK);
    expect(received).toContain('ok-trial');
    expect(breakerSnapshots().find((b) => b.name === 'payment.getPayment')?.state).toBe('closed');
  });

  it('carries ErrorInfo details from the server to the caller', async () => {
    const client = clientFor();
    try {
      await client.getPayment({ paymentId: 'missing-x' });
      throw new Error('expected a failure');
    } catch (error) {
      const remote = parseServiceError(error as ServiceError);
      expect(remote).toMatchObject({ code: status.NOT_FOUND, reason: 'NOT_FOUND', message: 'No such payment', domain: 'shop.payment' });
    }
  });

  describe("the caller's abort signal", () => {
    it('cancels a call waiting for its answer: CANCELLED (reason CANCELLED), never counted by the breaker', async () => {
      const client = clientFor({ resetTimeoutMs: 60_000, volumeThreshold: 1, errorThresholdPercentage: 1 }, { defaultDeadlineMs: 5_000 });
      for (let i = 0; i < 3; i += 1) {
        const controller = new AbortController();
        const call = client.getPayment({ paymentId: `slow-abort-${i}` }, { signal: controller.signal });
        while (!received.includes(`slow-abort-${i}`)) await delay(5);
        controller.abort();
        // The answer (OK, after 1 s) would be a success: only the cancel makes this CANCELLED.
        expect(await grpcFailureOf(call)).toEqual({ code: status.CANCELLED, reason: 'CANCELLED' });
      }
      expect(breakerSnapshots().find((b) => b.name === 'payment.getPayment')?.state).toBe('closed');
    });

    it("lets a half-open breaker's trial call reach its verdict when its caller cancels it", async () => {
      const log = memoryLogger('client');
      const client = clientFor({ resetTimeoutMs: 300, volumeThreshold: 2, errorThresholdPercentage: 50 }, { defaultDeadlineMs: 5_000, logger: log.logger });
      for (let i = 0; i < 2; i += 1) await codeOf(client.getPayment({ paymentId: `down-trial-${i}` }));
      const state = () => breakerSnapshots().find((b) => b.name === 'payment.getPayment')?.state;
      expect(state()).toBe('open');
      // Half-open lasts until a call comes: polling cannot miss it.
      while (state() !== 'half-open') await delay(20);
      const changesBefore = log.lines().length;
      const controller = new AbortController();
      // Answers UNAVAILABLE after 1 s: the callee is still down.
      const trial = client.getPayment({ paymentId: 'slow-trial-down' }, { signal: controller.signal });
      while (!received.includes('slow-trial-down')) await delay(5);
      controller.abort();
      expect(await grpcFailureOf(trial)).toEqual({ code: status.CANCELLED, reason: 'CANCELLED' });
      // The state changes the trial's verdict made, read from the breaker's own log lines (open, then half-open
      // again after 300 ms: polling the state could miss the open). Cancelled, it would have closed the breaker.
      const verdicts = () => log.lines().slice(changesBefore).filter((line) => line.msg === 'circuit breaker state changed').map((line) => line.state);
      for (let waited = 0; waited < 5_000 && verdicts().length === 0; waited += 20) await delay(20);
      expect(verdicts()[0]).toBe('open');
      expect(verdicts()).not.toContain('closed');
    });

    it('never sends a call whose signal is already aborted', async () => {
      const client = clientFor();
      const controller = new AbortController();
      controller.abort();
      const error = await client.getPayment({ paymentId: 'missing-never-sent' }, { signal: controller.signal }).then(
        () => undefined,
        (failure: unknown) => failure as ServiceError,
      );
      expect(error?.code).toBe(status.CANCELLED);
      expect(parseServiceError(error!)).toMatchObject({ reason: 'CANCELLED', domain: 'shop.payment' });
      expect(received).not.toContain('missing-never-sent');
    });

    it('sends no retry once aborted during the backoff', async () => {
      const controller = new AbortController();
      const { logger } = memoryLogger('client');
      // Aborts the moment the retry is announced, i.e. after the first attempt failed and before its backoff.
      const abortingLogger = Object.assign(Object.create(logger) as typeof logger, {
        debug: (...args: Parameters<typeof logger.debug>) => {
          controller.abort();
          logger.debug(...args);
        },
      });
      const client = clientFor({ resetTimeoutMs: 400, volumeThreshold: 10, errorThresholdPercentage: 50 }, {
        idempotentMethods: ['getPayment'], maxRetries: 5, defaultDeadlineMs: 5_000, logger: abortingLogger,
      });
      const call = client.getPayment({ paymentId: 'flaky-9-abort' }, { signal: controller.signal });
      expect(await grpcFailureOf(call)).toEqual({ code: status.CANCELLED, reason: 'CANCELLED' });
      await delay(300);
      expect(received.filter((id) => id === 'flaky-9-abort')).toHaveLength(1);
    });
  });

  describe('retries', () => {
    const lenient = { resetTimeoutMs: 400, volumeThreshold: 10, errorThresholdPercentage: 50 };

    it('retries an idempotent method on UNAVAILABLE and returns the answer that follows', async () => {
      const client = clientFor(lenient, { idempotentMethods: ['getPayment'], defaultDeadlineMs: 5_000 });
      expect(await codeOf(client.getPayment({ paymentId: 'flaky-2-a' }))).toBe(status.OK);
      expect(received.filter((id) => id === 'flaky-2-a')).toHaveLength(3);
    });

    it('gives up after maxRetries with the last UNAVAILABLE', async () => {
      const client = clientFor(lenient, { idempotentMethods: ['getPayment'], maxRetries: 2, defaultDeadlineMs: 5_000 });
      expect(await codeOf(client.getPayment({ paymentId: 'flaky-5-b' }))).toBe(status.UNAVAILABLE);
      expect(received.filter((id) => id === 'flaky-5-b')).toHaveLength(3);
    });

    it('never retries a method that is not declared idempotent, nor a business error', async () => {
      const client = clientFor(lenient, { defaultDeadlineMs: 5_000 });
      expect(await codeOf(client.getPayment({ paymentId: 'flaky-1-c' }))).toBe(status.UNAVAILABLE);
      expect(received.filter((id) => id === 'flaky-1-c')).toHaveLength(1);
      const idempotent = clientFor(lenient, { idempotentMethods: ['getPayment'], defaultDeadlineMs: 5_000 });
      expect(await codeOf(idempotent.getPayment({ paymentId: 'missing-d' }))).toBe(status.NOT_FOUND);
      expect(received.filter((id) => id === 'missing-d')).toHaveLength(1);
    });
  });

  describe('what travels with a call', () => {
    it("forwards the request id, the caller's authorization and the caller's remaining deadline", async () => {
      const client = clientFor(undefined, { defaultDeadlineMs: 30_000 });
      const callerDeadline = Date.now() + 5_000;
      await runWithRequestContext({ requestId: 'req-forwarded', authorization: 'Bearer caller-token', deadline: callerDeadline }, () =>
        client.getPayment({ paymentId: 'ctx-1' }),
      );
      const call = seen.find((entry) => entry.paymentId === 'ctx-1')!;
      expect(call).toMatchObject({ requestId: 'req-forwarded', authorization: 'Bearer caller-token' });
      // The method's 30 s would end far later: the caller's 5 s bound the call.
      expect(call.deadline).toBeDefined();
      expect(call.deadline!).toBeLessThan(callerDeadline + 1_000);
    });

    it('lets a call override or drop the authorization, and use its own shorter deadline', async () => {
      const client = clientFor(undefined, { defaultDeadlineMs: 30_000 });
      const started = Date.now();
      await runWithRequestContext({ requestId: 'req-own', authorization: 'Bearer caller-token' }, async () => {
        await client.getPayment({ paymentId: 'ctx-2' }, { authorization: 'Bearer service-token', deadlineMs: 4_000 });
        await client.getPayment({ paymentId: 'ctx-3' }, { authorization: null });
      });
      expect(seen.find((entry) => entry.paymentId === 'ctx-2')).toMatchObject({ requestId: 'req-own', authorization: 'Bearer service-token' });
      expect(seen.find((entry) => entry.paymentId === 'ctx-2')!.deadline!).toBeLessThan(started + 10_000);
      expect(seen.find((entry) => entry.paymentId === 'ctx-3')!.authorization).toBeUndefined();
    });

    it('fails fast with DEADLINE_EXCEEDED, without a network call, when the caller has no time left', async () => {
      const client = clientFor();
      const code = await runWithRequestContext({ requestId: 'req-late', deadline: Date.now() - 1 }, () => codeOf(client.getPayment({ paymentId: 'too-late' })));
      expect(code).toBe(status.DEADLINE_EXCEEDED);
      expect(received).not.toContain('too-late');
    });

    it('rejects, never throws, when a header value cannot be sent', async () => {
      const client = clientFor();
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = client.getPayment({ paymentId: 'bad-header' }, { authorization: 'Bearer a\nb' });
      }).not.toThrow();
      await expect(pending).rejects.toThrow();
      expect(received).not.toContain('bad-header');
    });
  });
});
