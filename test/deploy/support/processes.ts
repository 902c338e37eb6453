import { type z } from 'zod';
import { configSchema as edgeSchema } from '../../../edge-api/src/config';
import { configSchema as orderSchema } from '../../../services/order/src/config';
import { configSchema as paymentSchema } from '../../../services/payment/src/config';
import { configSchema as productSchema } from '../../../services/product/src/config';
import { configSchema as userSchema } from '../../../services/user/src/config';

/** The processes that ship as images, with the configuration schema each one parses at start. */
export interface ShopProcess {
  /** Compose service, k8s Deployment and Service name, and the Dockerfile's SERVICE build arg. */
  name: string;
  /** Folder of the process in the repo (the Dockerfile's SERVICE_DIR) holding src/main.ts. */
  dir: string;
  kind: 'grpc' | 'http';
  schema: z.ZodObject;
}

export const SERVICES: ShopProcess[] = [
  { name: 'user', dir: 'services/user', kind: 'grpc', schema: userSchema },
  { name: 'product', dir: 'services/product', kind: 'grpc', schema: productSchema },
  { name: 'order', dir: 'services/order', kind: 'grpc', schema: orderSchema },
  { name: 'payment', dir: 'services/payment', kind: 'grpc', schema: paymentSchema },
];

export const EDGE: ShopProcess = { name: 'edge-api', dir: 'edge-api', kind: 'http', schema: edgeSchema };

export const PROCESSES: ShopProcess[] = [...SERVICES, EDGE];

/** Keys of the schema that have neither a default nor optional(): the container must set them. */
export function requiredKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);
}

/**
 * Keys whose default is a public development value (signing and HMAC keys, service credentials): a deployment
 * must set its own. Recognised by name and by having a default, so a new `*_SECRET` setting is covered without
 * editing this test (optional secrets without a default, such as a configured signing key, are not).
 */
export function secretKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([key]) => /SECRET|CREDENTIALS/.test(key))
    .filter(([, field]) => {
      const parsed = (field as z.ZodType).safeParse(undefined);
      return parsed.success && parsed.data !== undefined;
    })
    .map(([key]) => key);
}

/** "order:secret1,bench:secret2" (the user service's SERVICE_CREDENTIALS) as client id -> secret. */
export function parseCredentials(raw: string): Map<string, string> {
  return new Map(
    raw
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0)
      .map((entry): [string, string] => [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)]),
  );
}

/** Peer addresses (`<PEER>_SERVICE_ADDRESS`) the process reads, with the peer they name. */
export function peerAddressKeys(schema: z.ZodObject): { key: string; peer: ShopProcess }[] {
  return Object.keys(schema.shape)
    .filter((key) => key.endsWith('_SERVICE_ADDRESS'))
    .map((key) => {
      const name = key.replace(/_SERVICE_ADDRESS$/, '').toLowerCase();
      const peer = SERVICES.find((service) => service.name === name);
      if (!peer) throw new Error(`${key} names no known service`);
      return { key, peer };
    });
}

/** The port the process listens on by default (GRPC_PORT or HTTP_PORT with nothing set but what is required). */
export function defaultPort(process: ShopProcess): number {
  const minimal: Record<string, string> = {};
  for (const key of requiredKeys(process.schema)) {
    if (key !== 'DATABASE_URL') throw new Error(`${process.name}: no placeholder for required ${key}`);
    minimal[key] = 'postgresql://placeholder@localhost:5432/placeholder';
  }
  return portOf(process, minimal);
}

export function portOf(process: ShopProcess, env: Record<string, string>): number {
  const parsed = process.schema.parse(env) as Record<string, unknown>;
  const port = parsed[process.kind === 'grpc' ? 'GRPC_PORT' : 'HTTP_PORT'];
  if (typeof port !== 'number') throw new Error(`${process.name}: no port in the parsed config`);
  return port;
}

/** Parses like the process does at start; returns the problems (empty when the environment is usable). */
export function configProblems(process: ShopProcess, env: Record<string, string>): string[] {
  const result = process.schema.safeParse(env);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}
