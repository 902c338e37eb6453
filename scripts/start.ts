// `npm start`: builds every process (scripts/lib/build.ts: plain JS under dist/, so edited sources are never run
// stale), embedded PostgreSQL (unless every <SVC>_DATABASE_URL is set), migrations, the four gRPC services, then the
// REST edge. Children log JSON lines to stdout; the launcher's own messages go to stderr.
import { bootstrapDatabases, redactUrl, type BootstrappedDatabases } from '@shop/platform/src/db';
import { buildTargets, PROCESS_TARGETS } from './lib/build';
import { startNodeChild, type ManagedChild } from './lib/child-process';
import { overriddenNodeOptionsWarning } from './lib/node-runtime';
import { waitForGrpcServing, waitForHttpReady } from './lib/readiness';
import { launchSettings, sharedChildEnv, type LaunchSettings } from './lib/settings';

const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

const say = (message: string): void => console.error(`[start] ${message}`);
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function printTable(settings: LaunchSettings, databases: BootstrappedDatabases): void {
  const rows: [string, string, string][] = [['edge (REST)', settings.edge.url, `${settings.edge.url}/docs`]];
  for (const service of settings.services) {
    rows.push([`${service.name} (gRPC)`, service.address, redactUrl(databases.databases[service.name].url)]);
  }
  const width = (column: number): number => Math.max(...rows.map((row) => row[column]?.length ?? 0));
  const lines = rows.map(([name, where, extra]) => `  ${name.padEnd(width(0))}  ${where.padEnd(width(1))}  ${extra}`);
  const admin = settings.devDefaults.ADMIN_EMAIL ? `\n  dev admin: ${settings.devDefaults.ADMIN_EMAIL} / ${settings.devDefaults.ADMIN_PASSWORD}` : '';
  console.error(`\nShop is running (Ctrl-C stops everything):\n${lines.join('\n')}${admin}\n`);
}

async function main(): Promise<void> {
  const settings = launchSettings();
  const children: ManagedChild[] = [];
  let databases: BootstrappedDatabases | undefined;
  let stopping: Promise<never> | undefined;

  // Whatever happens, no child outlives the launcher.
  process.on('exit', () => children.forEach((child) => child.kill()));

  const shutdown = (code: number): Promise<never> => {
    stopping ??= (async () => {
      say('stopping...');
      const edge = children.filter((child) => child.name === 'edge');
      const services = children.filter((child) => child.name !== 'edge');
      // The edge first, so that it stops taking requests before the services it calls go away.
      const stop = async (child: ManagedChild): Promise<void> => {
        if (await child.stop(STOP_GRACE_MS)) say(`${child.name} did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM: killed`);
      };
      await Promise.all(edge.map(stop));
      await Promise.all(services.map(stop));
      await databases?.stop();
      say('stopped');
      process.exit(code);
    })();
    return stopping;
  };

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Under `npm start` one Ctrl-C arrives twice (from the terminal and relayed by npm) within milliseconds:
    // only a later, deliberate second signal means "do not wait".
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < 1_000) return;
      say(`${signal} again: killing the children now`);
      children.forEach((child) => child.kill());
      return;
    }
    firstSignalAt = Date.now();
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `kill <npm pid>` ends npm and its `sh -c` without passing the signal on; we notice by being re-parented.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      say('parent process is gone: stopping');
      void shutdown(0);
    }
  }, 1_000).unref();

  const failStart = async (error: unknown): Promise<never> => {
    say(`start failed: ${errorText(error)}`);
    for (const child of children.filter((candidate) => candidate.hasExited())) {
      say(`last output of ${child.name} (${await child.exited}):\n${child.tail() || '(none)'}`);
    }
    return shutdown(1);
  };

  const overridden = overriddenNodeOptionsWarning();
  if (overridden) say(overridden);
  // The build (about a second) runs while PostgreSQL starts; both must succeed before any child starts. Its outcome
  // is captured at once, so that a failure is never an unhandled rejection while the databases are still starting.
  const building = buildTargets(PROCESS_TARGETS).then(
    (summary) => ({ summary }),
    (error: unknown) => ({ error }),
  );
  try {
    databases = await bootstrapDatabases({ log: say });
  } catch (error) {
    await building;
    return failStart(error);
  }
  const built = await building;
  if ('error' in built) return failStart(new Error(`build failed: ${errorText(built.error)}`));
  say(`built ${built.summary.built.join(', ')} in ${built.summary.ms} ms`);
  if (stopping) return;

  const shared = sharedChildEnv(settings);
  try {
    for (const service of settings.services) {
      const env = { ...shared, DATABASE_URL: databases.databases[service.name].url, GRPC_PORT: String(service.grpcPort) };
      children.push(startNodeChild(service.name, service.dir, env));
    }
    await Promise.all(
      settings.services.map((service, index) => {
        const child = children[index];
        if (!child) throw new Error(`no process for ${service.name}`);
        return waitForGrpcServing(child, service.address, START_TIMEOUT_MS).then(() => say(`${service.name} is SERVING on ${service.address}`));
      }),
    );
    if (stopping) return;
    const edge = startNodeChild('edge', settings.edge.dir, { ...shared, HTTP_PORT: String(settings.edge.port) });
    children.push(edge);
    await waitForHttpReady(edge, `${settings.edge.url}/readyz`, START_TIMEOUT_MS);
  } catch (error) {
    if (stopping) return;
    return failStart(error);
  }
  if (stopping) return;

  printTable(settings, databases);
  for (const child of children) {
    void child.exited.then(async (how) => {
      if (stopping) return;
      say(`${child.name} exited unexpectedly (${how}); last output:\n${child.tail() || '(none)'}`);
      await shutdown(1);
    });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
