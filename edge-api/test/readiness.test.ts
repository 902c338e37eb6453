import { HealthCheckResponse_ServingStatus } from '@shop/proto/gen/grpc/health/v1/health';
import { call, startEdgeHarness, type EdgeHarness } from './support/edge-harness';

describe('/healthz and /readyz', () => {
  let harness: EdgeHarness;
  beforeAll(async () => {
    // Generous: the CI machine may be busy, and a refused connection fails at once anyway.
    harness = await startEdgeHarness({}, { READINESS_DEADLINE_MS: '3000' });
  });
  afterAll(() => harness.stop());

  const waitForReadiness = async (expected: number) => {
    // The health clients' breaker may need a moment to let a trial call through after an outage.
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await call(`${harness.url}/readyz`);
      if (response.status === expected) return response;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return call(`${harness.url}/readyz`);
  };

  it('/healthz answers while the process is up', async () => {
    const response = await call(`${harness.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when all four services are SERVING', async () => {
    const response = await call(`${harness.url}/readyz`);
    expect(response.body).toEqual({ status: 'ready', services: { user: 'SERVING', product: 'SERVING', order: 'SERVING', payment: 'SERVING' } });
    expect(response.status).toBe(200);
  });

  it('/readyz is 503 with Retry-After while a service is down, and 200 again when it is back', async () => {
    await harness.stopBackend('payment');
    const down = await call(`${harness.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.body).toEqual({ status: 'not_ready', services: { user: 'SERVING', product: 'SERVING', order: 'SERVING', payment: 'UNREACHABLE' } });
    await harness.restartBackend('payment');
    expect((await waitForReadiness(200)).status).toBe(200);
  });

  it('/readyz is 503 while a service reports NOT_SERVING (e.g. its database is unreachable)', async () => {
    harness.setHealth('product', HealthCheckResponse_ServingStatus.NOT_SERVING);
    const response = await call(`${harness.url}/readyz`);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ services: { product: 'NOT_SERVING' } });
    harness.setHealth('product', HealthCheckResponse_ServingStatus.SERVING);
    expect((await call(`${harness.url}/readyz`)).status).toBe(200);
  });
});
