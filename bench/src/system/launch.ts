import fs from 'node:fs';
import path from 'node:path';
import { findFreePort, REPO_ROOT } from '@shop/platform/src/db';
import type { ManagedChild } from '../../../scripts/lib/child-process';
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

const ENTRY = 'src/main.ts';
const SERVICE_DIRS = ['user', 'product', 'order', 'payment'].map((name) => path.join(REPO_ROOT, 'services', name));
const EDGE_DIR = path.join(REPO_ROOT, 'edge-api');

/** The entry points the system needs that do not exist (yet). */
export function missingEntryPoints(): string[] {
  return [...SERVICE_DIRS, EDGE_DIR].map((dir) => path.join(dir, ENTRY)).filter((file) => !fs.existsSync(file)).map((file) => path.relative(REPO_ROOT, file));
}

/**
 * The whole system as separate processes, wired like `npm start` (scripts/lib/settings) but on free ports, with
 * warn-level logs (a log line per request would be measured too) and no demo catalog (the bench seeds its own).
 */
export async function startSystem(databases: BenchDatabases, log: (message: string) => void): Promise<RunningSystem> {
  const ports = { user: await findFreePort(), product: await findFreePort(), order: await findFreePort(), payment: await findFreePort(), edge: await findFreePort() };
  const settings = launchSettings({
    USER_GRPC_PORT: String(ports.user),
    PRODUCT_GRPC_PORT: String(ports.product),
    ORDER_GRPC_PORT: String(ports.order),
    PAYMENT_GRPC_PORT: String(ports.payment),
    EDGE_PORT: String(ports.edge),
  });
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', SEED_DEMO_CATALOG: 'false' };
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
    processes.push(startNodeProcess(service.name, service.dir, ENTRY, env));
  }
  await Promise.all(
    settings.services.map(async (service, index) => {
      await waitForGrpcServing(processes[index]!, service.address, START_TIMEOUT_MS);
      log(`${service.name} SERVING on ${service.address}`);
    }),
  );
  const edge = startNodeProcess('edge', settings.edge.dir, ENTRY, { ...shared, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(settings.edge.port) });
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

/** The baseline server, its own process beside the system, on the same databases. */
export async function startBaseline(databases: BenchDatabases, log: (message: string) => void): Promise<{ url: string; process: ManagedChild }> {
  const port = await findFreePort();
  const child = startNodeProcess('baseline', path.join(REPO_ROOT, 'bench'), 'src/baseline/main.ts', {
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
