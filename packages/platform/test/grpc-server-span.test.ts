import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import { OrderServiceService } from '@shop/proto/gen/shop/order/v1/order';
import { InventoryServiceService, ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';
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

const runFixture = async () =>
  (await runFixtureProcess<{ spans: SpanLine[]; handlerSpans: string[] }>('grpc-server-spans.ts')).result;

describe("the platform server's own SERVER spans", () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture();
  });

  const name = 'grpc.shop.payment.v1.PaymentService/GetPayment';

  it("makes one SERVER span per call, a child of the caller's span in the same trace", () => {
    const servers = run.spans.filter((span) => span.kind === SpanKind.SERVER);
    const roots = run.spans.filter((span) => span.name === 'root');
    expect(servers.map((span) => span.name)).toEqual([name, name]);
    expect(roots).toHaveLength(2);
    servers.forEach((server, index) => {
      expect(server.traceId).toBe(roots[index]!.traceId);
      expect(server.parentSpanId).toBe(roots[index]!.spanId);
      expect(server.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'shop.payment.v1.PaymentService', 'rpc.method': 'GetPayment' });
    });
  });

  it('leaves the served methods to the platform: the instrumentation makes no span of its own for them', () => {
    // This process also calls the method it serves, so (by name) its client side is skipped too: see served-methods.ts.
    expect(run.spans.filter((span) => span.name === name && span.kind !== SpanKind.SERVER)).toEqual([]);
  });

  it('runs the handler inside its SERVER span', () => {
    const servers = run.spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(run.handlerSpans).toEqual(servers.map((span) => span.spanId));
  });

  it('records the status code, and an error status for a failed call', () => {
    const [ok, failed] = run.spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(ok).toMatchObject({ attributes: { 'rpc.grpc.status_code': 0 }, status: { code: SpanStatusCode.UNSET } });
    expect(failed).toMatchObject({
      attributes: { 'rpc.grpc.status_code': 5, 'grpc.error_message': 'No such payment' },
      status: { code: SpanStatusCode.ERROR, message: 'No such payment' },
    });
  });
});

describe('method names across services', () => {
  // The gRPC instrumentation skips what the platform server traces by method name alone, on the client side too:
  // a method name shared by two services would lose the CLIENT spans of calls to it (see served-methods.ts).
  it('are unique, so no CLIENT span is skipped', () => {
    const names = [UserServiceService, ProductServiceService, InventoryServiceService, OrderServiceService, PaymentServiceService].flatMap((definition) =>
      Object.values(definition).map((method) => method.path.slice(method.path.lastIndexOf('/') + 1).toLowerCase()),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
