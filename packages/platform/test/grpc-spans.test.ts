import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { runFixtureProcess } from './support';

interface SpanLine {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: SpanStatusCode; message?: string };
}

interface FixtureResult {
  spans: SpanLine[];
  handlerSpans: string[];
  /** The span id of each call's root span, by the call's label (see fixtures/grpc-spans.ts). */
  roots: Record<string, string>;
  errors: Record<string, string>;
  ports: { server: number; other: number };
}

const runFixture = async () => (await runFixtureProcess<FixtureResult>('grpc-spans.ts')).result;

const GET_PAYMENT = 'grpc.shop.payment.v1.PaymentService/GetPayment';
const WATCH = 'grpc.shop.product.v1.ProductService/WatchProductChanges';

describe("the platform's own gRPC spans, CLIENT and SERVER", () => {
  let run: FixtureResult;
  beforeAll(async () => {
    run = await runFixture();
  });

  const byId = (id: string | undefined) => run.spans.find((span) => span.spanId === id);
  const rootSpan = (label: string) => byId(run.roots[label])!;
  /** The spans whose parent is `parent`, of one kind. */
  const children = (parent: SpanLine, kind: SpanKind) => run.spans.filter((span) => span.parentSpanId === parent.spanId && span.kind === kind);
  /** The CLIENT spans of one labelled call, each with the SERVER span beneath it. */
  const hops = (label: string) =>
    children(rootSpan(label), SpanKind.CLIENT).map((client) => ({ client, servers: children(client, SpanKind.SERVER) }));
  /** The one CLIENT span of a labelled call (failing if there are more or none), with the SERVER spans beneath it. */
  const onlyHop = (label: string) => {
    const found = hops(label);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it("makes one CLIENT span per call, a child of the caller's span, and the SERVER span its child, in one trace", () => {
    for (const label of ['ok', 'missing']) {
      const hop = onlyHop(label);
      expect(hop.client).toMatchObject({ name: GET_PAYMENT, traceId: rootSpan(label).traceId });
      expect(hop.servers).toHaveLength(1);
      expect(hop.servers[0]).toMatchObject({ name: GET_PAYMENT, traceId: rootSpan(label).traceId });
    }
  });

  it('names and attributes the CLIENT span as the gRPC instrumentation did', () => {
    const { client } = onlyHop('ok');
    expect(client.attributes).toEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'shop.payment.v1.PaymentService',
      'rpc.method': 'GetPayment',
      'server.address': '127.0.0.1',
      'server.port': run.ports.server,
      'rpc.grpc.status_code': 0,
    });
    expect(client.status).toEqual({ code: SpanStatusCode.UNSET });
  });

  it("records a failed call's code, error name and message, and an error status", () => {
    const { client } = onlyHop('missing');
    expect(run.errors.missing).toBe('5 NOT_FOUND: No such payment');
    expect(client).toMatchObject({
      attributes: { 'rpc.grpc.status_code': 5, 'grpc.error_name': 'Error', 'grpc.error_message': '5 NOT_FOUND: No such payment' },
      status: { code: SpanStatusCode.ERROR, message: '5 NOT_FOUND: No such payment' },
    });
  });

  it('makes a CLIENT span for a method this process also serves, on another server too (no skipping by name)', () => {
    const hop = onlyHop('replica');
    expect(hop.client.attributes).toMatchObject({ 'rpc.method': 'GetPayment', 'server.port': run.ports.other });
    expect(hop.servers.map((span) => span.name)).toEqual([GET_PAYMENT]);
  });

  it('makes one CLIENT span per attempt of a retried call, each the parent of its own SERVER span', () => {
    const attempts = hops('retried');
    expect(attempts.map(({ client }) => client.attributes['rpc.grpc.status_code'])).toEqual([14, 0]);
    expect(attempts.map(({ servers }) => servers.map((span) => span.attributes['rpc.grpc.status_code']))).toEqual([[14], [0]]);
    expect(run.errors.retried).toBeUndefined();
  });

  it('makes no span for a call an open breaker refused, nor for a health check', () => {
    expect(hops('opens-breaker')).toHaveLength(1);
    expect(run.errors.refused).toMatch(/unavailable/i);
    expect(run.spans.filter((span) => span.parentSpanId === run.roots.refused)).toEqual([]);
    expect(run.spans.filter((span) => span.parentSpanId === run.roots.health)).toEqual([]);
    expect(run.spans.filter((span) => span.name.includes('grpc.health'))).toEqual([]);
  });

  it("records a call its caller cancelled (CallOptions.signal) as CANCELLED, without an error status", () => {
    expect(run.errors.cancelled).toMatch(/cancelled by its caller/);
    const { client } = onlyHop('cancelled');
    expect(client).toMatchObject({ name: GET_PAYMENT, attributes: { 'rpc.grpc.status_code': 1 }, status: { code: SpanStatusCode.UNSET } });
    expect(client.attributes['grpc.error_message']).toBeUndefined();
  });

  it("makes one CLIENT span for a whole stream, ended with the stream's final status", () => {
    const read = onlyHop('stream');
    expect(read.client).toMatchObject({ name: WATCH, attributes: { 'rpc.method': 'WatchProductChanges', 'rpc.grpc.status_code': 0 }, status: { code: SpanStatusCode.UNSET } });
    expect(read.servers.map((span) => span.name)).toEqual([WATCH]);

    // The caller's own cancel (a watcher renewing its stream) is CANCELLED, and no failure.
    const cancelled = onlyHop('stream-cancelled');
    expect(cancelled.client).toMatchObject({ name: WATCH, attributes: { 'rpc.grpc.status_code': 1 }, status: { code: SpanStatusCode.UNSET } });
    expect(cancelled.client.attributes['grpc.error_message']).toBeUndefined();

    // Ended before its first message: the UNAVAILABLE its caller got, not the OK the server sent.
    expect(run.errors['stream-empty']).toMatch(/ended before its first message/);
    const empty = onlyHop('stream-empty');
    expect(empty.client).toMatchObject({
      name: WATCH,
      attributes: { 'rpc.grpc.status_code': 14, 'grpc.error_message': expect.stringContaining('ended before its first message') },
      status: { code: SpanStatusCode.ERROR },
    });
  });

  it('runs the handler inside its SERVER span', () => {
    const servers = run.spans.filter((span) => span.kind === SpanKind.SERVER && span.name === GET_PAYMENT);
    expect(new Set(run.handlerSpans)).toEqual(new Set(servers.map((span) => span.spanId)));
    expect(run.handlerSpans).toHaveLength(servers.length);
  });

  it('records the SERVER status code, and an error status for a failed call', () => {
    const { servers: ok } = onlyHop('ok');
    const { servers: failed } = onlyHop('missing');
    expect(ok[0]).toMatchObject({
      kind: SpanKind.SERVER,
      attributes: { 'rpc.system': 'grpc', 'rpc.service': 'shop.payment.v1.PaymentService', 'rpc.method': 'GetPayment', 'rpc.grpc.status_code': 0 },
      status: { code: SpanStatusCode.UNSET },
    });
    expect(failed[0]).toMatchObject({
      attributes: { 'rpc.grpc.status_code': 5, 'grpc.error_message': 'No such payment' },
      status: { code: SpanStatusCode.ERROR, message: 'No such payment' },
    });
  });
});
