import { status } from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServiceClient, DomainError, runWithRequestContext, type ServiceClient } from '@shop/platform';
import { startTelemetry, type TelemetryHandle } from '@shop/platform/telemetry';
import { memoryLogger } from '@shop/platform/testing';
import { ProductServiceService, type BatchGetProductsRequest } from '@shop/proto/gen/shop/product/v1/product';
import { ATTR_BATCH_SIZE, ATTR_REQUEST_ID } from '../src/reads/batch-scope';
import { MAX_PRODUCTS_PER_CALL } from '../src/reads/product-batch-limit';
import { createProductReads, type ProductReads } from '../src/reads/product-reads';
import { fake, startFakeServer, type FakeServer } from './support/fake-services';
import { product } from './support/fixtures';
import { batchedIds, batchGetByEach } from './support/product-reads';

/** Ids of products that exist in the fake catalog: lower case, as the product service answers them. */
const known = (id: string) => /^known-/.test(id);

describe('product reads through BatchGetProducts, against a real gRPC server', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = trace.getTracer('product-reads-test');
  let telemetry: TelemetryHandle;
  let server: FakeServer;
  let client: ServiceClient<typeof ProductServiceService>;
  let reads: ProductReads;
  const readsLog = memoryLogger('edge');
  let failWith: status | undefined;
  /** Answers as a product service from before allow_missing: all or nothing. */
  let legacy: boolean;
  const catalog = batchGetByEach((id) => {
    if (failWith !== undefined) return { error: { code: failWith, message: 'chosen failure', reason: 'CHOSEN' } };
    return known(id) ? { ok: { product: product(id) } } : { error: { code: status.NOT_FOUND, message: `Unknown products: ${id}`, reason: 'NOT_FOUND' } };
  });

  beforeAll(async () => {
    telemetry = startTelemetry('product-reads-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    server = await startFakeServer([
      fake(ProductServiceService, {
        batchGetProducts: (request, metadata) => catalog(legacy ? { ...request, allowMissing: false } : request, metadata),
      }),
    ]);
    client = createServiceClient(ProductServiceService, { service: 'product', target: server.address, logger: memoryLogger().logger });
    reads = createProductReads(client, readsLog.logger);
  });
  afterAll(async () => {
    client.close();
    await server.stop();
    await telemetry.shutdown();
  });
  beforeEach(() => {
    server.calls.length = 0;
    exporter.reset();
    failWith = undefined;
    legacy = false;
  });

  it('gathers the reads of one turn into one call that allows missing ids, in lower case, without authorization', async () => {
    const settled = await runWithRequestContext({ requestId: 'req-auth', authorization: 'Bearer caller-token' }, () =>
      Promise.allSettled([reads.get('known-a'), reads.get('KNOWN-B'), reads.get('Unknown-1'), reads.get('known-a')]),
    );
    expect(settled.map((result) => (result.status === 'fulfilled' ? result.value.id : result.reason))).toEqual([
      'known-a', 'known-b', expect.any(DomainError), 'known-a',
    ]);
    const [missing] = settled.filter((result) => result.status === 'rejected');
    expect(missing!.reason).toMatchObject({ code: status.NOT_FOUND, reason: 'NOT_FOUND', message: 'Product Unknown-1 does not exist', metadata: { product_id: 'Unknown-1' } });

    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]!.request as BatchGetProductsRequest).toEqual({ ids: ['known-a', 'known-b', 'unknown-1'], allowMissing: true });
    expect(server.calls[0]!.metadata.get('authorization')).toEqual([]);
  });

  it('asks each id alone when the product service answers all or nothing (before allow_missing)', async () => {
    legacy = true;
    const settled = await Promise.allSettled([reads.get('known-a'), reads.get('unknown-1'), reads.get('unknown-2')]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { id: 'known-a' } });
    for (const [i, result] of [[1, settled[1]], [2, settled[2]]] as const) {
      // Worded as the edge words it, never naming another request's id.
      expect(result).toMatchObject({ status: 'rejected', reason: { code: status.NOT_FOUND, message: `Product unknown-${i} does not exist` } });
    }
    const [whole, ...alone] = batchedIds(server.calls);
    expect(whole).toEqual(['known-a', 'unknown-1', 'unknown-2']);
    // Sent together, so answered in any order.
    expect(alone.map((ids) => ids.join()).sort()).toEqual(['known-a', 'unknown-1', 'unknown-2']);
  });

  it('asks for at most MAX_PRODUCTS_PER_CALL ids per call', async () => {
    const ids = Array.from({ length: MAX_PRODUCTS_PER_CALL + 1 }, (_, i) => `known-${i}`);
    const products = await Promise.all(ids.map((id) => reads.get(id)));
    expect(products.map((found) => found.id)).toEqual(ids);
    expect(batchedIds(server.calls).map((asked) => asked.length)).toEqual([MAX_PRODUCTS_PER_CALL, 1]);
  });

  it('fails every read of a call that failed with the service\'s status', async () => {
    failWith = status.UNAVAILABLE;
    const settled = await Promise.allSettled([reads.get('known-a'), reads.get('known-b')]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    for (const result of settled) expect((result as PromiseRejectedResult).reason).toMatchObject({ code: status.UNAVAILABLE });
  });

  it('logs a failed shared call once, with its request id and those of the requests it failed', async () => {
    failWith = status.UNAVAILABLE;
    const before = readsLog.lines().length;
    const settled = await Promise.allSettled([
      runWithRequestContext({ requestId: 'req-shared-1' }, () => reads.get('known-a')),
      runWithRequestContext({ requestId: 'req-shared-2' }, () => reads.get('known-b')),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    const sent = server.calls.at(-1)!.metadata.get('x-request-id')[0];
    const logged = readsLog.lines().slice(before);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'warn', msg: 'product reads batch failed for every request it served',
        request_id: sent, served_request_ids: ['req-shared-1', 'req-shared-2'], served_requests: 2, grpc_code: status.UNAVAILABLE, reason: 'CHOSEN',
      }),
    ]);

    // A lone read's failure is its own request's, logged with it: no extra line.
    await runWithRequestContext({ requestId: 'req-alone' }, () => reads.get('known-c')).catch(() => undefined);
    expect(readsLog.lines()).toHaveLength(before + 1);
  });

  it('logs no line for a shared call its breaker refused (the product service never saw its request id)', async () => {
    const log = memoryLogger('edge');
    const fragile = createServiceClient(ProductServiceService, {
      service: 'product-fragile', target: server.address, logger: memoryLogger().logger,
      breaker: { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 60_000 },
    });
    try {
      const fragileReads = createProductReads(fragile, log.logger);
      const sharedRead = () => Promise.allSettled([
        runWithRequestContext({ requestId: 'req-open-1' }, () => fragileReads.get('known-a')),
        runWithRequestContext({ requestId: 'req-open-2' }, () => fragileReads.get('known-b')),
      ]);
      failWith = status.UNAVAILABLE;
      await sharedRead();
      const refused = await sharedRead();
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: status.UNAVAILABLE });
      expect(log.lines().map((line) => line.served_request_ids)).toEqual([['req-open-1', 'req-open-2']]);
    } finally {
      fragile.close();
    }
  });

  it('sends a lone read in its request\'s own trace, with its request id', async () => {
    const request = tracer.startSpan('GET /v1/products/{id}');
    await context.with(trace.setSpan(context.active(), request), () => runWithRequestContext({ requestId: 'req-1' }, () => reads.get('known-a')));
    request.end();
    expect(server.calls[0]!.metadata.get('x-request-id')).toEqual(['req-1']);
    expect(String(server.calls[0]!.metadata.get('traceparent')[0])).toContain(request.spanContext().traceId);
    expect(exporter.getFinishedSpans().filter((span) => span.name === 'product reads batch')).toEqual([]);
  });

  it('sends a shared read under a span of its own that links to every request it served, and back', async () => {
    const requests = [tracer.startSpan('GET first'), tracer.startSpan('GET second')];
    await Promise.all(
      requests.map((request, i) =>
        context.with(trace.setSpan(context.active(), request), () => runWithRequestContext({ requestId: `req-${i}` }, () => reads.get(`known-${i}`))),
      ),
    );
    for (const request of requests) request.end();

    const batch = exporter.getFinishedSpans().find((span) => span.name === 'product reads batch');
    expect(batch).toBeDefined();
    expect(batch!.attributes[ATTR_BATCH_SIZE]).toBe(2);
    expect(batch!.spanContext().traceId).toBe(requests[0]!.spanContext().traceId);
    expect(batch!.parentSpanContext?.spanId).toBe(requests[0]!.spanContext().spanId);
    expect(batch!.links.map((link) => link.context.spanId)).toEqual(requests.map((request) => request.spanContext().spanId));
    for (const name of ['GET first', 'GET second']) {
      const request = exporter.getFinishedSpans().find((span) => span.name === name)!;
      expect(request.links.map((link) => link.context.spanId)).toEqual([batch!.spanContext().spanId]);
    }
    // The call is the batch's, in the batch's trace, with a request id of its own.
    expect(String(server.calls[0]!.metadata.get('traceparent')[0])).toContain(batch!.spanContext().traceId);
    const [callRequestId] = server.calls[0]!.metadata.get('x-request-id').map(String);
    expect(callRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batch!.attributes[ATTR_REQUEST_ID]).toBe(callRequestId);
  });

  it('puts a shared call under the first sampled request, so that a sampled request keeps its downstream spans', async () => {
    const unsampled = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE });
    const sampled = tracer.startSpan('GET sampled');
    await Promise.all([
      context.with(trace.setSpan(context.active(), unsampled), () => runWithRequestContext({ requestId: 'req-u' }, () => reads.get('known-u'))),
      context.with(trace.setSpan(context.active(), sampled), () => runWithRequestContext({ requestId: 'req-s' }, () => reads.get('known-s'))),
    ]);
    sampled.end();
    const batch = exporter.getFinishedSpans().find((span) => span.name === 'product reads batch');
    expect(batch?.parentSpanContext?.spanId).toBe(sampled.spanContext().spanId);
    expect(batch!.links.map((link) => link.context.spanId)).toEqual([unsampled.spanContext().spanId, sampled.spanContext().spanId]);
    // The gRPC call's own span is recorded, beneath the batch's.
    const client = exporter.getFinishedSpans().find((span) => span.name === 'grpc.shop.product.v1.ProductService/BatchGetProducts');
    expect(client?.parentSpanContext?.spanId).toBe(batch!.spanContext().spanId);
  });
});
