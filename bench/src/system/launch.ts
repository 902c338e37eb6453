import fs from 'node:fs';
import path from 'node:path';
import { findFreePort, REPO_ROOT } from '@shop/platform/src/db';
import { BASELINE_TARGET, buildTargets, DIST_ENTRY, PROCESS_TARGETS, type BuildTarget } from '../../../scripts/lib/build';
import type { ManagedChild } from '../../../scripts/lib/child-process';
import { overriddenNodeOptionsWarning } from '../../../scripts/lib/node-runtime';
import { waitForGrpcServing, waitForHttpReady } from '../../../scripts/lib/readiness';
import { launchSettings, sharedChildEnv } from '../../../scripts/lib/settings';
import { startNodeProcess } from './child';
import type { BenchDatabases } from './database';

const START_TIMEOUT_MS = 120_000;

export interface RunningSystem {
  edgeUrl: string;
  /** The four services and the edge, as `npm start` runs them. */
  processes: ManagedChild[];
}

/** The sources the system is built from that do not exist (yet). */
export function missingEntryPoints(): string[] {
  return PROCESS_TARGETS.map((target) => target.entry).filter((file) => !fs.existsSync(path.join(REPO_ROOT, file)));
}

/** Builds from the current sources (as `npm start` does), so that the figures are never those of a stale bundle. */
async function build(targets: readonly BuildTarget[], log: (message: string) => void): Promise<void> {
  const summary = await buildTargets(targets);
  log(`built ${summary.built.join(', ')} in ${summary.ms} ms`);
  const overridden = overriddenNodeOptionsWarning();
  if (overridden) log(overridden);
}

/**
 * The whole system as separate processes, built and wired like `npm start` (scripts/lib/settings) but on free
 * ports, with warn-level logs (a log line per request would be measured too) and no demo catalog (the bench seeds
 * its own).
 */
export async function startSystem(databases: BenchDatabases, log: (message: string) => void): Promise<RunningSystem> {
  await build(PROCESS_TARGETS, log);
  const ports = { user: await findFreePort(), product: await findFreePort(), order: await findFreePort(), payment: await findFreePort(), edge: await findFreePort() };
  const settings = launchSettings({
    USER_GRPC_PORT: String(ports.user),
    PRODUCT_GRPC_PORT: String(ports.product),
    ORDER_GRPC_PORT: String(ports.order),
    PAYMENT_GRPC_PORT: String(ports.payment),
    EDGE_PORT: String(ports.edge),
  });
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SEED_DEMO_CATALOG: 'false',
    // The bench signs all its users up from one address (--users may exceed the user service's per-address limit).
    REGISTRATION_MAX_PER_ADDRESS: process.env.REGISTRATION_MAX_PER_ADDRESS ?? '1000000',
  };
  const shared = sharedChildEnv(settings, base);
  const processes: ManagedChild[] = [];
  try {
    return await launch(settings, shared, databases, processes, log);
  } catch (error) {
    // The bench goes on without the system: say what those that died printed, and stop the rest so that
    // they do not take CPU from the baseline's measurements.
    for (const child of processes.filter((candidate) => candidate.hasExited())) {
      log(`${child.name} exited (${await child.exited}); its last output:\n${child.tail().split('\n').slice(-20).join('\n') || '(none)'}`);
    }
    await Promise.all(processes.map((child) => child.stop(5_000)));
    throw error;
  }
}

async function launch(
  settings: ReturnType<typeof launchSettings>,
  shared: NodeJS.ProcessEnv,
  databases: BenchDatabases,
  processes: ManagedChild[],
  log: (message: string) => void,
): Promise<RunningSystem> {
  for (const service of settings.services) {
    const env = { ...shared, DATABASE_URL: databases.urls[service.name], GRPC_PORT: String(service.grpcPort) };
    processes.push(startNodeProcess(service.name, service.dir, DIST_ENTRY, env));
  }
  await Promise.all(
    settings.services.map(async (service, index) => {
      await waitForGrpcServing(processes[index]!, service.address, START_TIMEOUT_MS);
      log(`${service.name} SERVING on ${service.address}`);
    }),
  );
  const edge = startNodeProcess('edge', settings.edge.dir, DIST_ENTRY, { ...shared, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(settings.edge.port) });
  processes.push(edge);
  await waitForHttpReady(edge, `${settings.edge.url}/readyz`, START_TIMEOUT_MS);
  log(`edge ready on ${settings.edge.url}`);
  return { edgeUrl: settings.edge.url, processes };
}

/** The system when every entry point exists and it starts; otherwise why not (the bench then runs the baseline alone). */
export async function startSystemIfReady(databases: BenchDatabases, log: (message: string) => void): Promise<{ system?: RunningSystem; note?: string }> {
  const missing = missingEntryPoints();
  if (missing.length > 0) return { note: `not written yet: ${missing.join(', ')}` };
  try {
    return { system: await startSystem(databases, log) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    log(`the system did not start: ${why}`);
    return { note: `start failed: ${why.split('\n')[0]}` };
  }
}

/** The baseline server, its own process beside the system, on the same databases, built and run like the system's. */
export async function startBaseline(databases: BenchDatabases, log: (message: string) => void): Promise<{ url: string; process: ManagedChild }> {
  await build([BASELINE_TARGET], log);
  const port = await findFreePort();
  const benchDir = path.join(REPO_ROOT, 'bench');
  const child = startNodeProcess('baseline', benchDir, path.relative(benchDir, path.join(REPO_ROOT, BASELINE_TARGET.outfile)), {
    ...process.env,
    BASELINE_PORT: String(port),
    PRODUCT_DATABASE_URL: databases.urls.product,
    ORDER_DATABASE_URL: databases.urls.order,
    PAYMENT_DATABASE_URL: databases.urls.payment,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttpReady(child, `${url}/readyz`, START_TIMEOUT_MS);
  log(`baseline ready on ${url}`);
  return { url, process: child };
}
