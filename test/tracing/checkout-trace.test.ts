import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOtlpCollector, type CollectedSpan } from './otlp-collector';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CARD_NUMBER = '4242424242424242';
// OTLP's SpanKind: 2 is SPAN_KIND_SERVER.
const SERVER = 2;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const until = async <T>(what: string, probe: () => T | undefined, timeoutMs: number, explain: () => string = () => ''): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/**
 * The whole system started the way a developer starts it (`npm start`'s launcher, every service its own
 * process, run from its esbuild bundle with npm packages left external, so that OpenTelemetry's require hooks
 * must still patch http and pg), exporting traces over OTLP/HTTP JSON to an in-memory collector: one checkout must be one trace
 * across edge -> order -> product and payment, with database spans beneath, and the same trace id in every
 * service's logs.
 */
describe('one trace per checkout, across processes', () => {
  let launcher: ChildProcess;
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
  let dataDir: string;
  let stdout = '';
  let stderr = '';
  let edgeUrl = '';

  beforeAll(async () => {
    collector = await startOtlpCollector();
    dataDir = mkdtempSync(path.join(tmpdir(), 'shop-trace-'));
    chmodSync(dataDir, 0o777);
    const [pg, user, product, order, payment, edge] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
    edgeUrl = `http://127.0.0.1:${edge}`;
    launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SHOP_DATA_DIR: dataDir,
        SHOP_PG_PORT: String(pg),
        USER_GRPC_PORT: String(user),
        PRODUCT_GRPC_PORT: String(product),
        ORDER_GRPC_PORT: String(order),
        PAYMENT_GRPC_PORT: String(payment),
        EDGE_PORT: String(edge),
        LOG_LEVEL: 'debug',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(
      'the system to start',
      () => {
        if (launcher.exitCode !== null) throw new Error(`the launcher exited:\n${stderr.slice(-3000)}`);
        return stderr.includes('Shop is running') ? true : undefined;
      },
      240_000,
    );
  }, 300_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null) {
      launcher.kill('SIGTERM');
      await new Promise((resolve) => launcher.once('exit', resolve));
    }
    await collector?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('runs every process from the bundles it built first (plain node, no TypeScript loader)', () => {
    expect(stderr).toMatch(/\[start\] built user, product, order, payment, edge in \d+ ms/);
  });

  it('traces a checkout through every hop and keeps card data out of spans', async () => {
    const json = { 'content-type': 'application/json' };
    const email = `trace-${Date.now()}@example.com`;
    expect((await fetch(`${edgeUrl}/v1/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'correct horse battery', name: 'Trace' }) })).status).toBe(201);
    const login = (await (await fetch(`${edgeUrl}/v1/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'correct horse battery' }) })).json()) as { accessToken: string };
    const catalog = (await (await fetch(`${edgeUrl}/v1/products?page_size=5`)).json()) as { products: Array<{ id: string }> };
    const productId = catalog.products[0]!.id;

    const requestId = `trace-test-${Date.now()}`;
    const checkout = await fetch(`${edgeUrl}/v1/orders`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${login.accessToken}`, 'idempotency-key': `key-${requestId}`, 'x-request-id': requestId },
      body: JSON.stringify({
        items: [{ productId, quantity: 1 }],
        card: { number: CARD_NUMBER, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' },
        shippingAddress: { name: 'Trace', line1: '1 Span Street', city: 'Tracetown', postalCode: '12345', country: 'US' },
      }),
    });
    const order = (await checkout.json()) as { status: string };
    expect(checkout.status).toBe(201);
    expect(order.status).toBe('CONFIRMED');

    const inTrace = (traceId: string) => collector.spans.filter((span) => span.traceId === traceId);
    const edgeSpan = await until(
      'the edge span of the checkout',
      // The HTTP instrumentation's server span (it alone records the target), named by the edge's route template.
      () =>
        collector.spans.find(
          (span) =>
            span.kind === SERVER &&
            (span.attributes['http.target'] ?? span.attributes['url.path']) !== undefined &&
            span.name === 'POST /v1/orders' &&
            span.attributes['http.route'] === '/v1/orders',
        ),
      20_000,
    );
    const services = ['order', 'product', 'payment'];
    const spans = await until(
      'spans of every hop',
      () => {
        const found = inTrace(edgeSpan.traceId);
        const hop = (service: string) => found.some((span) => span.service.includes(service) && span.kind === SERVER && String(span.attributes['rpc.system'] ?? '') === 'grpc');
        const db = (service: string) =>
          found.some((span) => span.service.includes(service) && (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql');
        return services.every((service) => hop(service) && db(service)) ? found : undefined;
      },
      20_000,
      () => `; spans in the trace:\n${inTrace(edgeSpan.traceId).map((span) => `${span.service} kind=${span.kind} ${span.name} ${JSON.stringify(span.attributes).slice(0, 120)}`).join('\n')}`,
    );

    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const rootOf = (span: CollectedSpan): CollectedSpan => {
      let current = span;
      while (current.parentSpanId && byId.has(current.parentSpanId)) current = byId.get(current.parentSpanId)!;
      return current;
    };
    // Every span of every service hangs under the edge's request span: one tree, not several traces.
    expect(new Set(spans.map((span) => rootOf(span).service)).size).toBe(1);
    expect(rootOf(spans.find((span) => span.service.includes('payment'))!).spanId).toBe(rootOf(edgeSpan).spanId);
    for (const method of ['ReserveStock', 'AuthorizePayment', 'CommitReservation', 'CapturePayment']) {
      expect(spans.some((span) => span.name.endsWith(`/${method}`) && span.kind === SERVER)).toBe(true);
    }

    expect(collector.raw.join('\n')).not.toContain(CARD_NUMBER);

    const logLines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { service?: string; trace_id?: string });
    const servicesLogging = new Set(logLines.filter((line) => line.trace_id === edgeSpan.traceId).map((line) => line.service));
    for (const service of ['order', 'product', 'payment']) {
      expect([...servicesLogging].some((name) => String(name).includes(service))).toBe(true);
    }
    expect(stdout).not.toContain(CARD_NUMBER);
  });

  it('stops every process cleanly on SIGTERM', async () => {
    launcher.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('stopped');
  }, 60_000);
});
