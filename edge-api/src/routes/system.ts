import { z } from 'zod';
import { HealthCheckResponse_ServingStatus } from '@shop/proto/gen/grpc/health/v1/health';
import { SERVICE_NAMES, type EdgeClients, type ServiceName } from '../clients';
import { defineRoute, type Route } from '../registry/route';
import { JwksSchema } from '../schemas/users';
import type { RouteDeps } from './deps';

const HealthSchema = z.object({ status: z.literal('ok') });

const ServiceState = z.enum(['SERVING', 'NOT_SERVING', 'UNKNOWN', 'SERVICE_UNKNOWN', 'UNREACHABLE']);
const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  services: z.record(z.enum(SERVICE_NAMES), ServiceState),
});

type State = z.infer<typeof ServiceState>;

async function checkOne(clients: EdgeClients, name: ServiceName, deadlineMs: number): Promise<State> {
  try {
    const { status } = await clients.health[name].check({ service: '' }, { deadlineMs });
    return (HealthCheckResponse_ServingStatus[status] as State | undefined) ?? 'UNKNOWN';
  } catch {
    return 'UNREACHABLE';
  }
}

export function systemRoutes({ clients, jwks, readinessDeadlineMs }: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/healthz', operationId: 'health', tags: ['system'], auth: 'public',
      summary: 'Liveness: the edge process is up',
      response: { status: 200, description: 'Up', schema: HealthSchema },
      handler: async () => ({ body: { status: 'ok' as const } }),
    }),
    defineRoute({
      method: 'get', path: '/readyz', operationId: 'ready', tags: ['system'], auth: 'public',
      summary: 'Readiness: every service answers grpc.health.v1 Check with SERVING',
      response: { status: 200, description: 'Ready (503 with the same shape when not)', schema: ReadinessSchema },
      errors: [503],
      handler: async () => {
        const states = await Promise.all(SERVICE_NAMES.map((name) => checkOne(clients, name, readinessDeadlineMs)));
        const services = Object.fromEntries(SERVICE_NAMES.map((name, index) => [name, states[index] ?? 'UNKNOWN'])) as Record<ServiceName, State>;
        const ready = states.every((state) => state === 'SERVING');
        return ready
          ? { body: { status: 'ready' as const, services } }
          : { status: 503, body: { status: 'not_ready' as const, services }, headers: { 'Retry-After': '1' } };
      },
    }),
    defineRoute({
      method: 'get', path: '/.well-known/jwks.json', operationId: 'jwks', tags: ['auth'], auth: 'public',
      summary: 'Public keys that verify access tokens (RFC 7517)',
      response: { status: 200, description: 'The JWK set', schema: JwksSchema },
      errors: [503],
      handler: async () => {
        const keys = await jwks();
        // Re-shaped through the public schema so that nothing but public members (never a private `d`) can leave.
        return { body: { keys: keys.map((key) => JwksSchema.shape.keys.element.parse(key)) }, headers: { 'Cache-Control': 'public, max-age=300' } };
      },
    }),
  ];
}
