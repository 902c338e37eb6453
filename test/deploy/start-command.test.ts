// Runs, outside Docker, exactly what the containers run: the image's CMD in the image's WORKDIR with the compose
// environment (only the addresses that differ between a compose network and this machine are replaced), and the
// compose healthcheck commands. A real PostgreSQL serves the services (the jest run's own). The bundles and scripts
// are built first by the same `npm run build` code the image's build stage runs.
import { findFreePort, type ServiceName } from '@shop/platform/src/db';
import { createTestDatabase, type TestDatabase } from '@shop/platform/testing';
import { buildTargets, PROCESS_TARGETS, TOOL_TARGETS } from '../../scripts/lib/build';
import { envExample, loadCompose, service, type ComposeService } from './support/compose';
import { mapImagePaths, parseGrpcTarget, START_COMMAND, workdirOf } from './support/deployment';
import { finalCommand, parseDockerfile } from './support/dockerfile';
import { defaultPort, EDGE, peerAddressKeys, SERVICES, type ShopProcess } from './support/processes';
import { containerLikeEnv, grpcServing, httpOk, run, start, startFakeCollector, waitUntil, type FakeCollector, type Running } from './support/run';
import { existsInRepo, repoPath } from './support/repo';

// Generous: the suite shares two cores with the rest of the run, and five processes start at once.
const START_TIMEOUT_MS = 180_000;
const compose = loadCompose(envExample());
const dockerfile = parseDockerfile('Dockerfile');

/** A container command with its /app paths mapped into the repo and container ports replaced by local ones. */
function localCommand(command: string[], ports: Map<number, number> = new Map()): string[] {
  return command.map((word) => {
    const mapped = mapImagePaths(word, (relative) => repoPath(relative));
    return mapped.replace(/(127\.0\.0\.1):(\d+)/g, (_match, host: string, port: string) => `${host}:${ports.get(Number(port)) ?? port}`);
  });
}

function healthcheckCommand(container: ComposeService, ports: Map<number, number>): string[] {
  const [kind, ...command] = container.healthcheck ?? [];
  expect(kind).toBe('CMD');
  return localCommand(command, ports);
}

/**
 * The export comes from that process: its OTLP resource carries service.name = name. Matched on the protobuf
 * encoding of the KeyValue (key "service.name", AnyValue.string_value name), since the span names of one process
 * mention the others.
 */
function exportedBy(body: Buffer, name: string): boolean {
  const key = Buffer.from('service.name');
  const value = Buffer.from(name);
  const keyValue = Buffer.concat([Buffer.from([0x0a, key.length]), key, Buffer.from([0x12, value.length + 2, 0x0a, value.length]), value]);
  return body.includes(keyValue);
}

const runnable = SERVICES.filter((svc) => existsInRepo(`${svc.dir}/src/main.ts`));

describe('the image start command', () => {
  const databases: TestDatabase[] = [];
  const processes = new Map<string, Running>();
  const localPort = new Map<string, number>();
  let collector: FakeCollector;

  /** The compose environment of the container, pointed at this machine. */
  function localEnv(svc: ShopProcess, overrides: Record<string, string>): NodeJS.ProcessEnv {
    const env: Record<string, string> = { ...service(compose, svc.name).environment };
    for (const { key, peer } of peerAddressKeys(svc.schema)) {
      // Same scheme as in compose (dns:///), so the resolver the containers use is the one exercised here.
      const target = parseGrpcTarget(env[key] ?? '');
      env[key] = `${target.scheme ? `${target.scheme}:///` : ''}127.0.0.1:${localPort.get(peer.name) ?? 1}`;
    }
    return containerLikeEnv({
      ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // Export within the test's patience instead of the default 5 s batch delay.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'warn',
      ...overrides,
    });
  }

  beforeAll(async () => {
    await buildTargets([...PROCESS_TARGETS, ...TOOL_TARGETS]);
    collector = await startFakeCollector();
    for (const svc of [...runnable, EDGE]) localPort.set(svc.name, await findFreePort());
    for (const svc of runnable) databases.push(await createTestDatabase(svc.name as ServiceName));
    runnable.forEach((svc, index) => {
      const container = service(compose, svc.name);
      const env = localEnv(svc, {
        DATABASE_URL: databases[index]?.url ?? '',
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(localPort.get(svc.name)),
      });
      processes.set(svc.name, start(localCommand(finalCommand(dockerfile)), workdirOf(container), env));
    });
    await Promise.all(
      runnable.map((svc) => waitUntil(`${svc.name} SERVING`, () => grpcServing(`127.0.0.1:${localPort.get(svc.name)}`), processes.get(svc.name), START_TIMEOUT_MS)),
    );
  }, START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await Promise.all([...processes.values()].map((running) => running.stop(5_000)));
    await Promise.all(databases.map((database) => database.drop()));
    await collector?.close();
  }, 60_000);

  it('is what the image runs', () => {
    expect(finalCommand(dockerfile)).toEqual(START_COMMAND);
    expect(runnable.map((svc) => svc.name)).toEqual(SERVICES.map((svc) => svc.name));
  });

  it.each(runnable.map((svc) => [svc.name, svc] as const))('starts %s, whose compose healthcheck then reports healthy', async (name, svc) => {
    const container = service(compose, name);
    const command = healthcheckCommand(container, new Map([[defaultPort(svc), localPort.get(name) ?? 0]]));
    const result = await run(command, workdirOf(container), containerLikeEnv({}), 30_000);
    expect({ code: result.code, output: result.output.trim() }).toEqual({ code: 0, output: expect.stringContaining('healthy') });
  }, 60_000);

  it('fails the gRPC healthcheck when nothing serves the port', async () => {
    const container = service(compose, 'user');
    const closed = await findFreePort();
    const result = await run(healthcheckCommand(container, new Map([[defaultPort(SERVICES[0]!), closed]])), workdirOf(container), containerLikeEnv({}), 30_000);
    expect(result.code).toBe(1);
  }, 60_000);

  it('starts the edge, which reports ready once every service is SERVING', async () => {
    const container = service(compose, EDGE.name);
    const port = localPort.get(EDGE.name) ?? 0;
    const edge = start(localCommand(finalCommand(dockerfile)), workdirOf(container), localEnv(EDGE, { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) }));
    processes.set(EDGE.name, edge);
    await waitUntil('edge /healthz', () => httpOk(`http://127.0.0.1:${port}/healthz`), edge, START_TIMEOUT_MS);
    const command = healthcheckCommand(container, new Map([[defaultPort(EDGE), port]]));
    await waitUntil('edge healthcheck command', async () => (await run(command, workdirOf(container), containerLikeEnv({}), 30_000)).code === 0, edge, 60_000);
  }, START_TIMEOUT_MS + 90_000);

  it('exports the traces of every process to the collector (OTLP http/protobuf, as configured in compose)', async () => {
    const port = localPort.get(EDGE.name) ?? 0;
    // Reads through the edge make spans in the edge (HTTP server, gRPC client) and in product and user (gRPC
    // server); every service's database readiness poll makes pg spans of its own.
    expect(await httpOk(`http://127.0.0.1:${port}/v1/products`)).toBe(true);
    expect(await httpOk(`http://127.0.0.1:${port}/.well-known/jwks.json`)).toBe(true);
    const expected: [string, string][] = [
      ...[EDGE, ...runnable].map((svc): [string, string] => [svc.name, '']),
      [EDGE.name, '/v1/products'],
      ['product', 'shop.product.v1.ProductService/ListProducts'],
      ['user', 'shop.user.v1.UserService/GetJwks'],
    ];
    const missing = (): string[] =>
      expected
        .filter(([name, span]) => !collector.exports.some((item) => item.contentType === 'application/x-protobuf' && exportedBy(item.body, name) && item.body.includes(span)))
        .map(([name, span]) => `${name}${span ? `: ${span}` : ''}`);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && missing().length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(missing()).toEqual([]);
  }, 60_000);

  it('forwards the gRPC ports in the debug profile (grpcurl through the proxy sees every service)', async () => {
    const proxy = [...compose.services.values()].find((candidate) => candidate.profiles.includes('debug'));
    expect(proxy?.command).toBeDefined();
    const ports = new Map<number, number>();
    const routes: string[] = [];
    for (const svc of runnable) {
      const listen = await findFreePort();
      ports.set(defaultPort(svc), listen);
      routes.push(`${listen}=127.0.0.1:${localPort.get(svc.name)}`);
    }
    const running = start(localCommand(proxy?.command ?? [], ports), workdirOf(proxy!), containerLikeEnv({ GRPC_DEBUG_ROUTES: routes.join(','), GRPC_DEBUG_LISTEN_HOST: '127.0.0.1' }));
    processes.set('grpc-debug', running);
    await waitUntil('proxy listening', async () => running.output().includes('forwarding'), running, 60_000);
    const result = await run(healthcheckCommand(proxy!, ports), workdirOf(proxy!), containerLikeEnv({}), 30_000);
    expect({ code: result.code, output: result.output.trim() }).toEqual({ code: 0, output: expect.stringContaining('healthy') });
  }, 120_000);

  // The edge first, as `docker compose down` does (dependents stop before their dependencies).
  it.each([EDGE, ...runnable].map((svc) => [svc.name] as const))('stops %s cleanly on SIGTERM (docker stop, pod termination)', async (name) => {
    const finished = await processes.get(name)?.stop(15_000);
    expect({ code: finished?.code, signal: finished?.signal }).toEqual({ code: 0, signal: null });
  }, 30_000);
});

