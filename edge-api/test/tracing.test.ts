import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type TelemetryHandle } from '@shop/platform/telemetry';
import { call, fake, ProductServiceService, startEdgeHarness, type EdgeHarness } from './support/edge-harness';
import { everyProductExists } from './support/product-reads';

describe('tracing at the edge', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: TelemetryHandle;
  let harness: EdgeHarness;
  beforeAll(async () => {
    telemetry = startTelemetry('edge-api-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    harness = await startEdgeHarness({ product: [fake(ProductServiceService, { batchGetProducts: everyProductExists })] });
  });
  afterAll(async () => {
    await harness.stop();
    await telemetry.shutdown();
  });

  it('opens a span per route and carries its trace context to the gRPC call', async () => {
    const response = await call(`${harness.url}/v1/products/p1`);
    expect(response.status).toBe(200);
    const span = exporter.getFinishedSpans().find((candidate) => candidate.name === 'GET /v1/products/{id}');
    expect(span).toBeDefined();
    expect(span!.attributes).toMatchObject({ 'http.route': '/v1/products/{id}', 'http.response.status_code': 200 });
    const traceparent = harness.servers.product.calls.at(-1)!.metadata.get('traceparent')[0];
    expect(String(traceparent)).toContain(span!.spanContext().traceId);
  });
});
