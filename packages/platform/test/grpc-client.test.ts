import { status, type ServiceError } from '@grpc/grpc-js';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { createServiceClient, type ServiceClient } from '../src/grpc/client';
import { breakerSnapshots } from '../src/grpc/breaker-registry';
import type { GrpcServerHandle } from '../src/grpc/server';
import { parseServiceError } from '../src/errors/grpc-status';
import { delay, memoryLogger, startBehaviourServer } from './support';

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
  const clients: Array<ServiceClient<typeof PaymentServiceService>> = [];
  const clientFor = (breaker = { resetTimeoutMs: 400, volumeThreshold: 3, errorThresholdPercentage: 50 }) => {
    const client = createServiceClient(PaymentServiceService, {
      service: 'payment',
      target: `127.0.0.1:${server.port}`,
      logger: memoryLogger('client').logger,
      defaultDeadlineMs: 200,
      breaker,
    });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    ({ server, received } = await startBehaviourServer());
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
});
