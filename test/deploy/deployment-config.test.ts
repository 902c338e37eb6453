// docker-compose.yml, the Dockerfiles and the Kubernetes manifests against the code: no Docker engine or cluster
// runs here, so everything that can drift from the services' own configuration is checked by reading the files.
// The expectations come from the code (each process's zod configSchema, its folder, its migrations), not from a
// list kept in this test.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { containerPort, envExample, loadCompose, referencedVariables, service, type ComposeFile } from './support/compose';
import { spawnSync } from 'node:child_process';
import { ALL_TARGETS, PROCESS_TARGETS, TOOL_TARGETS } from '../../scripts/lib/build';
import { fileNodeOptions, NODE_OPTIONS_FILE, runtimeNodeArgs } from '../../scripts/lib/node-runtime';
import {
  HEALTHCHECK_SCRIPT,
  MIGRATE_COMMAND,
  NODE_OPTIONS_IMAGE_PATH,
  START_COMMAND,
  initSqlDatabases,
  migrationNames,
  parseGrpcTarget,
  repoPathOfImagePath,
  sqlStatements,
} from './support/deployment';
import { contextCopySources, finalCommand, finalWorkdir, parseDockerfile, substitute } from './support/dockerfile';
import {
  containerEnv,
  findResource,
  kustomizeBuild,
  labelsMatch,
  metadataName,
  podContainers,
  podLabels,
  podSpec,
  resourcesOfKind,
  volumeReferences,
} from './support/kustomize';
import { configProblems, defaultPort, EDGE, parseCredentials, peerAddressKeys, PROCESSES, requiredKeys, secretKeys, SERVICES } from './support/processes';
import { asArray, asObject, asString, existsInRepo, type JsonObject, readRepoFile, readYaml, repoPath } from './support/repo';

const BASE = 'deploy/k8s/base';
const DEV_OVERLAY = 'deploy/k8s/overlays/dev';
const COMPOSE_INIT_SQL = 'deploy/postgres/init/01-service-databases.sql';
const K8S_INIT_SQL = `${DEV_OVERLAY}/postgres-init/01-service-databases.sql`;

// Compose is read twice: with the variables of .env.example (a configured laptop) and with none (no .env at all).
const ENVIRONMENTS: [string, Record<string, string>][] = [
  ['.env.example', envExample()],
  ['no .env', {}],
];

const withMigrations = SERVICES.filter((svc) => migrationNames(svc.dir).length > 0);

describe('the Dockerfile', () => {
  const dockerfile = parseDockerfile('Dockerfile');

  it('builds on node:20-bookworm-slim in several stages and runs as a non-root user', () => {
    expect(dockerfile.args.get('NODE_IMAGE')).toBe('node:20-bookworm-slim');
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const users = dockerfile.instructions.filter((item) => item.instruction === 'USER');
    expect(users.at(-1)?.args).toBe('node');
    expect(users.at(-1)?.stage).toBe(dockerfile.stages.at(-1));
  });

  it('installs only production dependencies, without install scripts, in the final stage', () => {
    const finalStage = dockerfile.stages.at(-1);
    const installs = dockerfile.instructions.filter((item) => item.stage === finalStage && item.instruction === 'RUN' && item.args.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]?.args).toContain('--omit=dev');
    // Root `prepare` runs buf, a dev dependency: it must not run in the production install.
    expect(installs[0]?.args).toContain('--ignore-scripts');
  });

  it('copies the manifest of every npm workspace before `npm ci` (which rejects a lockfile with missing workspaces)', () => {
    const rootManifest = JSON.parse(readRepoFile('package.json')) as { workspaces: string[] };
    const workspaceDirs = rootManifest.workspaces.flatMap((pattern) => {
      if (!pattern.endsWith('/*')) return [pattern];
      const parent = pattern.slice(0, -2);
      return fs.readdirSync(repoPath(parent)).map((child) => `${parent}/${child}`);
    });
    const manifests = workspaceDirs.filter((dir) => existsInRepo(`${dir}/package.json`)).map((dir) => `${dir}/package.json`);
    expect(manifests.length).toBeGreaterThanOrEqual(PROCESSES.length);
    const copied = contextCopySources(dockerfile, 'manifests');
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...manifests]));
  });

  it('copies from the build context only paths that exist', () => {
    for (const svc of PROCESSES) {
      const args = { SERVICE: svc.name, SERVICE_DIR: svc.dir };
      for (const source of contextCopySources(dockerfile)) {
        const resolved = substitute(source, dockerfile, args).replace(/\/$/, '');
        if (resolved.includes('*')) {
          const dir = path.dirname(resolved);
          const pattern = new RegExp(`^${path.basename(resolved).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
          expect(fs.readdirSync(repoPath(dir)).some((name) => pattern.test(name))).toBe(true);
        } else {
          expect({ source: resolved, exists: existsInRepo(resolved) }).toEqual({ source: resolved, exists: true });
        }
      }
    }
  });

  it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('runs %s with the start command in its folder, on the bundle built from its main.ts', (_name, svc) => {
    expect(finalCommand(dockerfile)).toEqual(START_COMMAND);
    const workdir = finalWorkdir(dockerfile, { SERVICE: svc.name, SERVICE_DIR: svc.dir });
    expect(repoPathOfImagePath(workdir)).toBe(svc.dir);
    expect(existsInRepo(`${svc.dir}/src/main.ts`)).toBe(true);
    const script = START_COMMAND.at(-1) ?? '';
    expect(PROCESS_TARGETS.filter((target) => target.outfile === path.posix.join(svc.dir, script)).map((target) => target.entry)).toEqual([`${svc.dir}/src/main.ts`]);
  });

  it('builds the bundles in the build stage and copies them, not the sources, into the runtime stage', () => {
    const build = dockerfile.instructions.filter((item) => item.stage === 'build' && item.instruction === 'RUN').map((item) => item.args);
    expect(build.some((command) => command.includes('npm run build'))).toBe(true);
    const runtime = dockerfile.stages.at(-1);
    const fromContext = contextCopySources(dockerfile, runtime).map((source) => source.replace(/\/$/, ''));
    expect(fromContext.filter((source) => !source.endsWith('package.json') && source !== 'package-lock.json')).toEqual([repoPathOfImagePath(NODE_OPTIONS_IMAGE_PATH)]);
    const fromBuild = dockerfile.instructions.filter((item) => item.stage === runtime && item.instruction === 'COPY' && item.args.startsWith('--from=build'));
    expect(fromBuild.length).toBeGreaterThan(0);
    expect(dockerfile.instructions.some((item) => item.instruction === 'CMD' && item.args.includes('tsx'))).toBe(false);
  });

  it('ships the compiled healthcheck and debug-proxy scripts that compose runs', () => {
    const compose = loadCompose(envExample());
    const scripts = [...compose.services.values()]
      .flatMap((container) => [...(container.healthcheck ?? []), ...(container.command ?? [])])
      .filter((word) => word.startsWith('/app/deploy/'));
    expect(scripts).toContain(HEALTHCHECK_SCRIPT);
    for (const script of new Set(scripts)) {
      const target = TOOL_TARGETS.find((candidate) => candidate.outfile === repoPathOfImagePath(script));
      expect({ script, builtFrom: target && existsInRepo(target.entry) }).toEqual({ script, builtFrom: true });
    }
    // The build stage collects deploy/dist for the runtime stage.
    expect(dockerfile.instructions.some((item) => item.stage === 'build' && item.instruction === 'RUN' && item.args.includes('deploy/dist'))).toBe(true);
  });
});

describe('the V8 flags of every process (deploy/node-options.env)', () => {
  const options = fileNodeOptions() ?? '';
  const flag = (name: string): number | undefined => {
    const match = new RegExp(`--${name}=(\\d+)`).exec(options);
    return match ? Number(match[1]) : undefined;
  };

  it('are read from the one file by the images and by the launcher and bench alike', () => {
    expect(repoPathOfImagePath(NODE_OPTIONS_IMAGE_PATH)).toBe(path.relative(repoPath(), NODE_OPTIONS_FILE));
    expect(START_COMMAND).toContain(`--env-file=${NODE_OPTIONS_IMAGE_PATH}`);
    expect(runtimeNodeArgs()).toEqual([`--env-file=${NODE_OPTIONS_FILE}`]);
    // No other place sets them: neither the compose file nor the manifests nor a package.json script.
    const elsewhere = ['docker-compose.yml', 'Dockerfile', 'package.json', ...PROCESSES.map((svc) => `${svc.dir}/package.json`), ...yamlFilesUnder('deploy/k8s')];
    for (const file of elsewhere) {
      expect({ file, setsFlags: /max-old-space-size|max-semi-space-size|NODE_OPTIONS\s*[:=]/.test(readRepoFile(file)) }).toEqual({ file, setsFlags: false });
    }
  });

  it('are flags node accepts, and set a heap limit', () => {
    const result = spawnSync(process.execPath, [...runtimeNodeArgs(), '-p', "require('v8').getHeapStatistics().heap_size_limit"], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const oldSpace = flag('max-old-space-size');
    expect(oldSpace).toBeDefined();
    expect(Number(result.stdout) / 1024 / 1024).toBeGreaterThanOrEqual(oldSpace ?? Infinity);
  });

  it('keep the heap well inside each Kubernetes container memory limit', () => {
    // Old space plus the young generation (3 semi-spaces at most) plus room for code, wasm and native memory.
    const nonHeapRoomMb = 96;
    const heapMb = (flag('max-old-space-size') ?? Infinity) + 3 * (flag('max-semi-space-size') ?? 16);
    const dev = kustomizeBuild(DEV_OVERLAY);
    for (const svc of PROCESSES) {
      const deployment = findResource(dev, 'Deployment', svc.name);
      const container = deployment ? podContainers(deployment, 'containers').find((candidate) => candidate.name === svc.name) : undefined;
      const limit = asString(asObject(asObject(container?.resources, 'resources').limits, 'limits').memory, 'memory');
      expect({ process: svc.name, fits: heapMb + nonHeapRoomMb <= mebibytes(limit) }).toEqual({ process: svc.name, fits: true });
    }
  });

  it('has a build target for every process, script and the bench baseline, each from a source that exists', () => {
    expect(PROCESS_TARGETS.map((target) => target.entry).sort()).toEqual(PROCESSES.map((svc) => `${svc.dir}/src/main.ts`).sort());
    for (const target of ALL_TARGETS) expect({ target: target.name, exists: existsInRepo(target.entry) }).toEqual({ target: target.name, exists: true });
  });
});

function yamlFilesUnder(dir: string): string[] {
  return fs.readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFilesUnder(relative);
    return entry.name.endsWith('.yaml') ? [relative] : [];
  });
}

/** "512Mi", "1Gi", "500M" as MiB. */
function mebibytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity ${quantity}`);
  const value = Number(match[1]);
  switch (match[2]) {
    case 'Gi':
      return value * 1024;
    case 'G':
      return (value * 1e9) / 1024 / 1024;
    case 'M':
      return (value * 1e6) / 1024 / 1024;
    default:
      return value;
  }
}

describe('docker-compose.yml', () => {
  const compose = loadCompose(envExample());
  const composeText = readRepoFile('docker-compose.yml');
  const longRunning = [...compose.services.values()].filter((svc) => !svc.name.endsWith('-migrate'));

  it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('has a container for %s built from the Dockerfile with its build args', (_name, svc) => {
    const container = service(compose, svc.name);
    expect(container.build).toBeDefined();
    const build = container.build!;
    const dockerfilePath = path.join(build.context, build.dockerfile);
    expect(existsInRepo(dockerfilePath)).toBe(true);
    const dockerfile = parseDockerfile(dockerfilePath);
    for (const arg of Object.keys(build.args)) expect({ arg, declared: dockerfile.args.has(arg) }).toEqual({ arg, declared: true });
    expect(build.args.SERVICE).toBe(svc.name);
    // The image must land in the process's folder: SERVICE_DIR given or derived from SERVICE.
    expect(repoPathOfImagePath(finalWorkdir(dockerfile, build.args))).toBe(svc.dir);
    // No command override: the container runs the image's CMD, the command exercised in start-command.test.ts.
    expect(container.command).toBeUndefined();
  });

  it('builds every image from a Dockerfile and context that exist', () => {
    for (const container of compose.services.values()) {
      if (!container.build) {
        expect({ service: container.name, image: container.image }).toEqual({ service: container.name, image: expect.any(String) });
        continue;
      }
      const dockerfilePath = path.join(container.build.context, container.build.dockerfile);
      expect({ service: container.name, dockerfile: existsInRepo(dockerfilePath) }).toEqual({ service: container.name, dockerfile: true });
      const dockerfile = parseDockerfile(dockerfilePath);
      for (const source of contextCopySources(dockerfile)) {
        const resolved = path.join(container.build.context, substitute(source, dockerfile, container.build.args));
        if (!resolved.includes('*')) expect({ service: container.name, copies: resolved, exists: existsInRepo(resolved) }).toEqual({ service: container.name, copies: resolved, exists: true });
      }
    }
  });

  describe.each(ENVIRONMENTS)('with %s', (_label, variables) => {
    const resolved = loadCompose(variables);

    it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('sets every required variable of %s, and its config parses', (_name, svc) => {
      const env = service(resolved, svc.name).environment;
      for (const key of requiredKeys(svc.schema)) expect({ key, value: env[key] }).toEqual({ key, value: expect.stringMatching(/.+/) });
      expect(configProblems(svc, env)).toEqual([]);
    });

    it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('sets its own value for every *_SECRET of %s', (_name, svc) => {
      for (const key of secretKeys(svc.schema)) expect({ key, value: service(resolved, svc.name).environment[key] }).toEqual({ key, value: expect.stringMatching(/.{16,}/) });
    });

    it('gives every internal caller of the user service the client secret the user service expects', () => {
      expectServiceCredentialsMatch((name) => service(resolved, name).environment);
    });

    it('gives each service database the owner role and password that the init SQL creates', () => {
      const databases = initSqlDatabases(readRepoFile(COMPOSE_INIT_SQL));
      const postgres = service(resolved, 'postgres').environment;
      for (const svc of SERVICES) {
        const url = new URL(service(resolved, svc.name).environment.DATABASE_URL ?? '');
        const database = url.pathname.slice(1);
        const created = databases.find((entry) => entry.database === database);
        expect({ service: svc.name, database, created: created !== undefined }).toEqual({ service: svc.name, database, created: true });
        expect(url.username).toBe(created?.owner);
        expect(decodeURIComponent(url.password)).toBe(postgres[created?.passwordEnv ?? '']);
        expect(url.hostname).toBe('postgres');
      }
      // One database each: no service can read another's data.
      const used = SERVICES.map((svc) => new URL(service(resolved, svc.name).environment.DATABASE_URL ?? '').pathname);
      expect(new Set(used).size).toBe(SERVICES.length);
    });
  });

  it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('points the peer addresses of %s at the peers’ containers and ports', (_name, svc) => {
    const env = service(compose, svc.name).environment;
    for (const { key, peer } of peerAddressKeys(svc.schema)) {
      const value = env[key];
      expect({ key, value }).toEqual({ key, value: expect.any(String) });
      const target = parseGrpcTarget(value ?? '');
      expect(target.host).toBe(peer.name);
      expect(target.port).toBe(defaultPort(peer));
      // dns:/// resolves every address of a scaled service, so that round_robin spreads calls.
      expect(target.scheme).toBe('dns');
    }
  });

  it.each(SERVICES.map((svc) => [svc.name, svc] as const))('listens with %s on its configured port and health-checks that port over gRPC', (_name, svc) => {
    const container = service(compose, svc.name);
    const port = defaultPort(svc);
    const configured = container.environment.GRPC_PORT;
    if (configured !== undefined) expect(Number(configured)).toBe(port);
    expect(container.healthcheck).toEqual(['CMD', 'node', HEALTHCHECK_SCRIPT, 'grpc', `127.0.0.1:${port}`]);
  });

  it('publishes the edge on its configured HTTP port and health-checks /readyz', () => {
    const edge = service(compose, EDGE.name);
    const port = defaultPort(EDGE);
    expect(Number(edge.environment.HTTP_PORT ?? port)).toBe(port);
    expect(edge.ports.map(containerPort)).toEqual([port]);
    expect(edge.healthcheck).toEqual(['CMD', 'node', HEALTHCHECK_SCRIPT, 'http', `http://127.0.0.1:${port}/readyz`]);
  });

  it('has a healthcheck for every long-running container', () => {
    for (const container of longRunning) expect({ service: container.name, hasHealthcheck: (container.healthcheck?.length ?? 0) > 1 }).toEqual({ service: container.name, hasHealthcheck: true });
  });

  it('depends only on services that exist, waiting for health (or completion of one-shot steps)', () => {
    for (const container of compose.services.values()) {
      for (const [target, condition] of Object.entries(container.dependsOn)) {
        const dependency = compose.services.get(target);
        expect({ from: container.name, target, exists: dependency !== undefined }).toEqual({ from: container.name, target, exists: true });
        if (target.endsWith('-migrate')) expect({ from: container.name, target, condition }).toEqual({ from: container.name, target, condition: 'service_completed_successfully' });
        else {
          expect({ from: container.name, target, condition }).toEqual({ from: container.name, target, condition: 'service_healthy' });
          expect((dependency?.healthcheck?.length ?? 0) > 1).toBe(true);
        }
        // A profile-less service must not wait for one that only runs with a profile.
        if (container.profiles.length === 0) expect({ target, profiles: dependency?.profiles }).toEqual({ target, profiles: [] });
      }
    }
  });

  it.each(withMigrations.map((svc) => [svc.name, svc] as const))('migrates %s once, with its own image, before it starts', (_name, svc) => {
    const migrate = service(compose, `${svc.name}-migrate`);
    const container = service(compose, svc.name);
    expect(migrate.command).toEqual(MIGRATE_COMMAND);
    expect(migrate.image).toBe(container.image);
    expect(migrate.build).toEqual(container.build);
    expect(migrate.environment.DATABASE_URL).toBe(container.environment.DATABASE_URL);
    expect(migrate.raw.restart).toBe('no');
    expect(container.dependsOn[`${svc.name}-migrate`]).toBe('service_completed_successfully');
    expect(migrate.dependsOn.postgres).toBe('service_healthy');
  });

  it('publishes only the edge and the Jaeger UI, and the gRPC ports only in the debug profile', () => {
    const published = [...compose.services.values()].filter((svc) => svc.ports.length > 0);
    const always = published.filter((svc) => svc.profiles.length === 0).map((svc) => svc.name).sort();
    expect(always).toEqual([EDGE.name, 'jaeger'].sort());
    expect(service(compose, 'jaeger').ports.map(containerPort)).toEqual([16686]);
    const debug = published.filter((svc) => svc.profiles.includes('debug'));
    const debugPorts = debug.flatMap((svc) => svc.ports.map(containerPort)).sort();
    expect(debugPorts).toEqual(SERVICES.map(defaultPort).sort());
    // Host binding defaults to loopback: a laptop on a shared network does not expose the shop.
    for (const svc of published) for (const port of svc.ports) expect(port.startsWith('127.0.0.1:')).toBe(true);
  });

  it('routes the debug proxy to every service', () => {
    const proxy = [...compose.services.values()].find((svc) => svc.profiles.includes('debug'));
    const routes = (proxy?.environment.GRPC_DEBUG_ROUTES ?? '').split(',').sort();
    expect(routes).toEqual(SERVICES.map((svc) => `${defaultPort(svc)}=${svc.name}:${defaultPort(svc)}`).sort());
  });

  it.each(PROCESSES.map((svc) => [svc.name, svc] as const))('exports the traces of %s to the collector, which forwards them to Jaeger', (_name, svc) => {
    const env = service(compose, svc.name).environment;
    expect(env.OTEL_TRACES_EXPORTER).toBe('otlp');
    expect(env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(env.OTEL_SERVICE_NAME).toBe(svc.name);
    const endpoint = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    expect(endpoint.hostname).toBe('otel-collector');
    expect(endpoint.port).toBe('4318');
    expect(service(compose, svc.name).dependsOn['otel-collector']).toBe('service_healthy');
  });

  it('runs a collector whose pipeline receives OTLP over HTTP and exports traces to the Jaeger container', () => {
    const collector = service(compose, 'otel-collector');
    const mounted = collector.volumes.map((volume) => volume.split(':')[0] ?? '').find((source) => source.endsWith('config.yaml'));
    expect(mounted).toBeDefined();
    const config = asObject(readYaml(path.normalize(mounted ?? '')), 'collector config');
    expectCollectorForwardsToJaeger(config, compose);
  });

  it('mounts host paths that exist', () => {
    for (const container of compose.services.values()) {
      for (const volume of container.volumes) {
        const source = volume.split(':')[0] ?? '';
        if (!source.startsWith('.')) {
          expect({ service: container.name, volume: source, declared: compose.volumes.includes(source) }).toEqual({ service: container.name, volume: source, declared: true });
          continue;
        }
        expect({ service: container.name, path: source, exists: existsInRepo(path.normalize(source)) }).toEqual({ service: container.name, path: source, exists: true });
      }
    }
  });

  it('documents in .env.example every variable it reads, and reads every variable documented there', () => {
    const used = referencedVariables(composeText).sort();
    const documented = Object.keys(envExample()).sort();
    expect(documented).toEqual(used);
  });

  it('passes the init SQL the password of every service role', () => {
    const postgres = service(compose, 'postgres');
    for (const database of initSqlDatabases(readRepoFile(COMPOSE_INIT_SQL))) {
      expect({ variable: database.passwordEnv, set: (postgres.environment[database.passwordEnv] ?? '').length > 0 }).toEqual({ variable: database.passwordEnv, set: true });
    }
    expect(postgres.volumes.some((volume) => volume.startsWith('./deploy/postgres/init:/docker-entrypoint-initdb.d'))).toBe(true);
  });
});

/**
 * The user service's SERVICE_CREDENTIALS lists "<client id>:<secret>"; each client is a process of the shop whose
 * SERVICE_CLIENT_SECRET must be that secret, or its client-credentials token requests fail at run time.
 */
function expectServiceCredentialsMatch(environmentOf: (process: string) => Record<string, string>): void {
  const credentials = parseCredentials(environmentOf('user').SERVICE_CREDENTIALS ?? '');
  expect(credentials.size).toBeGreaterThan(0);
  for (const [client, secret] of credentials) {
    expect(PROCESSES.map((svc) => svc.name)).toContain(client);
    expect({ client, secret: environmentOf(client).SERVICE_CLIENT_SECRET }).toEqual({ client, secret });
  }
  // And the other way round: whoever reads a client secret is listed.
  for (const svc of PROCESSES.filter((candidate) => 'SERVICE_CLIENT_SECRET' in candidate.schema.shape)) {
    expect(credentials.get(svc.name)).toBe(environmentOf(svc.name).SERVICE_CLIENT_SECRET);
  }
}

function expectCollectorForwardsToJaeger(config: JsonObject, compose?: ComposeFile): void {
  const receivers = asObject(config.receivers, 'receivers');
  const protocols = asObject(asObject(receivers.otlp, 'otlp').protocols, 'protocols');
  expect(asString(asObject(protocols.http, 'http').endpoint, 'http.endpoint')).toBe('0.0.0.0:4318');
  const pipeline = asObject(asObject(asObject(config.service, 'service').pipelines, 'pipelines').traces, 'traces');
  expect(asArray(pipeline.receivers, 'receivers')).toContain('otlp');
  const exporters = asObject(config.exporters, 'exporters');
  const exporterNames = asArray(pipeline.exporters, 'exporters').map((name) => asString(name, 'exporter'));
  expect(exporterNames.length).toBeGreaterThan(0);
  for (const name of exporterNames) {
    const endpoint = asString(asObject(exporters[name], name).endpoint, `${name}.endpoint`);
    expect(endpoint).toBe('jaeger:4317');
    if (compose) expect(compose.services.has('jaeger')).toBe(true);
  }
}

describe('the Kubernetes manifests', () => {
  const kustomizations = (() => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(repoPath(dir), { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name === 'kustomization.yaml') found.push(dir);
      }
    };
    walk('deploy/k8s');
    return found.sort();
  })();
  const dev = kustomizeBuild(DEV_OVERLAY);
  const base = kustomizeBuild(BASE);

  it('has a base and a dev overlay', () => {
    expect(kustomizations).toEqual([BASE, DEV_OVERLAY].sort());
  });

  it.each(kustomizations.map((dir) => [dir] as const))('%s refers only to files that exist, and every patch selects a resource', (dir) => {
    const build = kustomizeBuild(dir);
    expect(build.references.filter((reference) => !reference.exists)).toEqual([]);
    expect(build.unmatchedPatches).toEqual([]);
  });

  it('has no two resources of one kind and name', () => {
    const keys = dev.resources.map((resource) => `${resource.kind}/${metadataName(resource)}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it('deploys nothing but the shop in the base', () => {
    const names = resourcesOfKind(base, 'Deployment').map(metadataName).sort();
    expect(names).toEqual(PROCESSES.map((svc) => svc.name).sort());
  });

  describe.each(PROCESSES.map((svc) => [svc.name, svc] as const))('%s', (_name, svc) => {
    const deployment = findResource(dev, 'Deployment', svc.name);
    const container = deployment ? podContainers(deployment, 'containers').find((candidate) => candidate.name === svc.name) : undefined;

    it('has a Deployment with a container running its image', () => {
      expect(deployment).toBeDefined();
      expect(container).toBeDefined();
      expect(asString(container?.image, 'image')).toMatch(new RegExp(`^shop-${svc.name}(:|$)`));
      // The image's CMD is the start command; an override here would bypass what start-command.test.ts runs.
      expect(container?.command).toBeUndefined();
      expect(container?.args).toBeUndefined();
    });

    it('gets every required variable, a config that parses, and its own secrets', () => {
      const { env, missing } = containerEnv(dev, container ?? {});
      expect(missing).toEqual([]);
      for (const key of requiredKeys(svc.schema)) expect({ key, value: env[key] }).toEqual({ key, value: expect.stringMatching(/.+/) });
      expect(configProblems(svc, env)).toEqual([]);
      for (const key of secretKeys(svc.schema)) expect({ key, value: env[key] }).toEqual({ key, value: expect.stringMatching(/.{16,}/) });
      expect(env.OTEL_SERVICE_NAME).toBe(svc.name);
      expect(env.OTEL_TRACES_EXPORTER).toBe('otlp');
      expect(new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').hostname).toBe('otel-collector');
    });

    it('reaches its peers through their headless Services with dns:///', () => {
      const { env } = containerEnv(dev, container ?? {});
      for (const { key, peer } of peerAddressKeys(svc.schema)) {
        const target = parseGrpcTarget(env[key] ?? '');
        expect({ key, scheme: target.scheme, host: target.host }).toEqual({ key, scheme: 'dns', host: `${peer.name}-headless` });
        const headless = findResource(dev, 'Service', target.host);
        expect(headless).toBeDefined();
        const spec = asObject(headless?.spec, 'spec');
        expect(spec.clusterIP).toBe('None');
        const ports = asArray(spec.ports, 'ports').map((port) => asObject(port, 'port'));
        expect(ports.map((port) => port.port)).toContain(target.port);
        expect(target.port).toBe(defaultPort(peer));
      }
    });

    it('listens on its configured port, with probes on that port', () => {
      const { env } = containerEnv(dev, container ?? {});
      const port = defaultPort(svc);
      expect(Number(env[svc.kind === 'grpc' ? 'GRPC_PORT' : 'HTTP_PORT'] ?? port)).toBe(port);
      const ports = asArray(container?.ports, 'ports').map((entry) => asObject(entry, 'port'));
      expect(ports.map((entry) => entry.containerPort)).toEqual([port]);
      const portName = ports[0]?.name;
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const spec = asObject(container?.[probe], probe);
        if (svc.kind === 'grpc') {
          // Native gRPC probe: the kubelet calls grpc.health.v1 Check, no binary in the image needed.
          expect(asObject(spec.grpc, `${probe}.grpc`).port).toBe(port);
        } else {
          const httpGet = asObject(spec.httpGet, `${probe}.httpGet`);
          expect([port, portName]).toContain(httpGet.port);
          expect(httpGet.path).toBe(probe === 'readinessProbe' ? '/readyz' : '/healthz');
        }
      }
    });

    it('is selected by its Services and PodDisruptionBudget', () => {
      const labels = deployment ? podLabels(deployment) : {};
      const services = resourcesOfKind(dev, 'Service').filter((resource) => metadataName(resource) === svc.name || metadataName(resource) === `${svc.name}-headless`);
      expect(services.length).toBe(svc.kind === 'grpc' ? 2 : 1);
      const portNames = asArray(container?.ports, 'ports').map((entry) => asObject(entry, 'port').name);
      for (const resource of services) {
        const spec = asObject(resource.spec, 'spec');
        const selector = asObject(spec.selector, 'selector') as Record<string, string>;
        expect(labelsMatch(selector, labels)).toBe(true);
        for (const port of asArray(spec.ports, 'ports').map((entry) => asObject(entry, 'port'))) expect(portNames).toContain(port.targetPort);
      }
      const pdb = findResource(dev, 'PodDisruptionBudget', svc.name);
      expect(pdb).toBeDefined();
      const matchLabels = asObject(asObject(asObject(pdb?.spec, 'spec').selector, 'selector').matchLabels, 'matchLabels') as Record<string, string>;
      expect(labelsMatch(matchLabels, labels)).toBe(true);
    });
  });

  it('autoscales the edge, product and order (and leaves their replica count to the HPA)', () => {
    const targets = resourcesOfKind(dev, 'HorizontalPodAutoscaler').map((hpa) => {
      const ref = asObject(asObject(hpa.spec, 'spec').scaleTargetRef, 'scaleTargetRef');
      expect(ref.kind).toBe('Deployment');
      return asString(ref.name, 'scaleTargetRef.name');
    });
    expect(targets.sort()).toEqual(['edge-api', 'order', 'product']);
    for (const name of targets) {
      expect(findResource(dev, 'Deployment', name)).toBeDefined();
      expect(asObject(findResource(dev, 'Deployment', name)?.spec, 'spec').replicas).toBeUndefined();
    }
  });

  it.each(withMigrations.map((svc) => [svc.name, svc] as const))('migrates %s with a Job that runs the same command as compose, against the same database', (_name, svc) => {
    const job = findResource(dev, 'Job', `${svc.name}-migrate`);
    expect(job).toBeDefined();
    const [migrate] = job ? podContainers(job, 'containers') : [];
    expect(migrate?.command).toEqual(MIGRATE_COMMAND);
    const deployment = findResource(dev, 'Deployment', svc.name);
    const main = deployment ? podContainers(deployment, 'containers')[0] : undefined;
    expect(migrate?.image).toBe(main?.image);
    const jobEnv = containerEnv(dev, migrate ?? {});
    expect(jobEnv.missing).toEqual([]);
    expect(jobEnv.env.DATABASE_URL).toBe(containerEnv(dev, main ?? {}).env.DATABASE_URL);
    // The pods wait for the Job: their init container polls `migrate status` with the same database.
    const [wait] = deployment ? podContainers(deployment, 'initContainers') : [];
    expect(asArray(wait?.command, 'command').join(' ')).toContain('shop-prisma.js migrate status');
    expect(containerEnv(dev, wait ?? {}).env.DATABASE_URL).toBe(jobEnv.env.DATABASE_URL);
  });

  it('sets resource requests and limits on every container', () => {
    for (const resource of dev.resources) {
      for (const container of podContainers(resource)) {
        const resources = asObject(container.resources ?? {}, 'resources');
        const where = `${resource.kind}/${metadataName(resource)} ${String(container.name)}`;
        for (const part of ['requests', 'limits']) {
          const values = resources[part] === undefined ? {} : asObject(resources[part], part);
          expect({ where, part, cpu: values.cpu !== undefined, memory: values.memory !== undefined }).toEqual({ where, part, cpu: true, memory: true });
        }
      }
    }
  });

  it('gives every long-running container readiness and liveness probes', () => {
    for (const resource of dev.resources.filter((candidate) => candidate.kind !== 'Job')) {
      for (const container of podContainers(resource, 'containers')) {
        const where = `${resource.kind}/${metadataName(resource)} ${String(container.name)}`;
        expect({ where, readiness: container.readinessProbe !== undefined, liveness: container.livenessProbe !== undefined }).toEqual({ where, readiness: true, liveness: true });
      }
    }
  });

  it('runs the shop as a non-root user with a read-only root filesystem', () => {
    for (const svc of PROCESSES) {
      for (const resource of [findResource(dev, 'Deployment', svc.name), findResource(dev, 'Job', `${svc.name}-migrate`)]) {
        if (!resource) continue;
        expect(asObject(podSpec(resource)?.securityContext, 'securityContext').runAsNonRoot).toBe(true);
        for (const container of podContainers(resource)) {
          const security = asObject(container.securityContext, 'securityContext');
          expect(security.readOnlyRootFilesystem).toBe(true);
          expect(security.allowPrivilegeEscalation).toBe(false);
          // The Prisma CLI (migrations, `migrate status`) needs a writable temp dir; so do heap snapshots and reports.
          expect(asArray(container.volumeMounts, 'volumeMounts').map((mount) => asObject(mount, 'mount').mountPath)).toContain('/tmp');
        }
      }
    }
  });

  it('refers only to ConfigMaps and Secrets that exist', () => {
    for (const resource of dev.resources) {
      for (const container of podContainers(resource)) expect({ container: container.name, missing: containerEnv(dev, container).missing }).toEqual({ container: container.name, missing: [] });
      for (const reference of volumeReferences(resource)) {
        const exists = (reference.kind === 'configMap' ? dev.configMaps : dev.secrets).has(reference.name);
        expect({ resource: metadataName(resource), ...reference, exists }).toEqual({ resource: metadataName(resource), ...reference, exists: true });
      }
    }
  });

  it('creates every service database in the dev PostgreSQL with the owner and password of its DATABASE_URL', () => {
    const databases = initSqlDatabases(readRepoFile(K8S_INIT_SQL));
    const postgres = findResource(dev, 'StatefulSet', 'postgres');
    const [container] = postgres ? podContainers(postgres, 'containers') : [];
    const postgresEnv = containerEnv(dev, container ?? {});
    expect(postgresEnv.missing).toEqual([]);
    for (const svc of SERVICES) {
      const deployment = findResource(dev, 'Deployment', svc.name);
      const url = new URL(containerEnv(dev, deployment ? (podContainers(deployment, 'containers')[0] ?? {}) : {}).env.DATABASE_URL ?? '');
      const created = databases.find((entry) => entry.database === url.pathname.slice(1));
      expect({ service: svc.name, created: created !== undefined }).toEqual({ service: svc.name, created: true });
      expect(url.username).toBe(created?.owner);
      expect(decodeURIComponent(url.password)).toBe(postgresEnv.env[created?.passwordEnv ?? '']);
      expect(findResource(dev, 'Service', url.hostname)).toBeDefined();
    }
  });

  it('gives every internal caller of the user service the client secret the user service expects', () => {
    expectServiceCredentialsMatch((name) => {
      const deployment = findResource(dev, 'Deployment', name);
      const container = deployment ? podContainers(deployment, 'containers').find((candidate) => candidate.name === name) : undefined;
      return containerEnv(dev, container ?? {}).env;
    });
  });

  it('runs the same init SQL as compose', () => {
    expect(sqlStatements(readRepoFile(K8S_INIT_SQL))).toEqual(sqlStatements(readRepoFile(COMPOSE_INIT_SQL)));
  });

  it('sends traces to a collector Service that forwards them to a Jaeger Service', () => {
    expect(findResource(dev, 'Service', 'otel-collector')).toBeDefined();
    expect(findResource(dev, 'Service', 'jaeger')).toBeDefined();
    const config = dev.configMaps.get('otel-collector-config')?.['config.yaml'];
    expect(config).toBeDefined();
    const parsed = asObject(parseYaml(config ?? ''), 'collector config');
    expectCollectorForwardsToJaeger(parsed);
  });

  it('applies kustomize labels without touching selectors (they are immutable on live Deployments)', (): void => {
    const kustomization = asObject(readYaml(`${BASE}/kustomization.yaml`), 'base kustomization');
    expect(kustomization.commonLabels).toBeUndefined();
    for (const entry of asArray(kustomization.labels, 'labels')) expect(asObject(entry, 'label').includeSelectors).toBe(false);
  });
});

