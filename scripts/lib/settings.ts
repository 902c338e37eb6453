import path from 'node:path';
import { REPO_ROOT, type ServiceName } from '@shop/platform/src/db';

export interface ServiceSettings {
  name: ServiceName;
  dir: string;
  grpcPort: number;
  address: string;
}

export interface LaunchSettings {
  services: ServiceSettings[];
  edge: { dir: string; port: number; url: string };
  /** Development conveniences passed to every child unless the environment sets them. */
  devDefaults: Record<string, string>;
}

const DEFAULT_GRPC_PORTS: Record<ServiceName, number> = { user: 50051, product: 50052, order: 50053, payment: 50054 };
const START_ORDER: ServiceName[] = ['user', 'product', 'order', 'payment'];
export const DEV_ADMIN_EMAIL = 'admin@shop.local';
export const DEV_ADMIN_PASSWORD = 'shop-dev-admin-1';

function port(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // Peers are wired by address before anything listens, so a port cannot be left for the OS to choose.
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${variable} must be a port number 1-65535, got "${raw}"`);
  return value;
}

export function launchSettings(env: NodeJS.ProcessEnv = process.env): LaunchSettings {
  const services = START_ORDER.map((name) => {
    const grpcPort = port(env, `${name.toUpperCase()}_GRPC_PORT`, DEFAULT_GRPC_PORTS[name]);
    return { name, dir: path.join(REPO_ROOT, 'services', name), grpcPort, address: `127.0.0.1:${grpcPort}` };
  });
  const edgePort = port(env, 'EDGE_PORT', 8080);
  const devDefaults: Record<string, string> = {};
  if (env.ADMIN_EMAIL === undefined && env.ADMIN_PASSWORD === undefined) {
    devDefaults.ADMIN_EMAIL = DEV_ADMIN_EMAIL;
    devDefaults.ADMIN_PASSWORD = DEV_ADMIN_PASSWORD;
  }
  if (env.SEED_DEMO_CATALOG === undefined) devDefaults.SEED_DEMO_CATALOG = 'true';
  return {
    services,
    edge: { dir: path.join(REPO_ROOT, 'edge-api'), port: edgePort, url: `http://127.0.0.1:${edgePort}` },
    devDefaults,
  };
}

/** What every child gets: where its peers are, plus the dev defaults; each child then adds its own port and database. */
export function sharedChildEnv(settings: LaunchSettings, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const addresses = Object.fromEntries(settings.services.map((service) => [`${service.name.toUpperCase()}_SERVICE_ADDRESS`, service.address]));
  return { ...env, ...settings.devDefaults, ...addresses };
}
