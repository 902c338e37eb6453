import { Server, ServerCredentials, type status, type handleUnaryCall, type Metadata, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { DomainError, toServiceError } from '@shop/platform';

/** What one fake call answers: a response, or a status with the google.rpc details a real service would send. */
export type FakeAnswer<Res> =
  | { ok: Res }
  | { error: { code: status; message: string; reason?: string; metadata?: Record<string, string>; retryAfterSeconds?: number; fieldViolations?: Array<{ field: string; description: string }> } };

export type FakeHandler<Req, Res> = (request: Req, metadata: Metadata) => FakeAnswer<Res> | Promise<FakeAnswer<Res>>;

export interface RecordedCall {
  path: string;
  metadata: Metadata;
  request: unknown;
}

export interface FakeServer {
  port: number;
  address: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

interface MethodLike {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

/** Implementation of some methods of a ts-proto service definition; the rest answer UNIMPLEMENTED. */
export interface FakeService<D extends Record<string, MethodLike>> {
  definition: D;
  handlers: Partial<Record<keyof D, FakeHandler<never, unknown>>>;
}

/** Typed helper so each handler sees its method's request and response types. */
export function fake<D extends Record<string, MethodLike>>(
  definition: D,
  handlers: {
    [K in keyof D]?: D[K] extends { requestDeserialize: (b: Buffer) => infer Req; responseDeserialize: (b: Buffer) => infer Res }
      ? FakeHandler<Req, Res>
      : never;
  },
): FakeService<D> {
  return { definition, handlers: handlers as Partial<Record<keyof D, FakeHandler<never, unknown>>> };
}

/**
 * A real grpc-js server on an ephemeral port that answers what each test chooses, with errors encoded by the
 * platform exactly as the real services encode them. It records every call's metadata for propagation checks.
 */
export async function startFakeServer(services: Array<FakeService<Record<string, MethodLike>>>, port = 0): Promise<FakeServer> {
  const server = new Server();
  const calls: RecordedCall[] = [];
  // Fakes of the same service are merged, later handlers winning, so a test can add methods to a default fake.
  const merged = new Map<Record<string, MethodLike>, FakeService<Record<string, MethodLike>>['handlers']>();
  for (const service of services) merged.set(service.definition, { ...merged.get(service.definition), ...service.handlers });
  for (const [definition, handlers] of merged) {
    const service = { definition, handlers };
    const implementation: UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(service.handlers)) {
      if (!handler) continue;
      const method = service.definition[name]!;
      const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
        calls.push({ path: method.path, metadata: call.metadata, request: call.request });
        Promise.resolve(handler(call.request as never, call.metadata)).then(
          (answer) => {
            if ('ok' in answer) {
              callback(null, answer.ok);
              return;
            }
            const { code, message, ...options } = answer.error;
            callback(toServiceError(new DomainError(code, message, options), 'shop.fake'));
          },
          (error: unknown) => callback(toServiceError(error, 'shop.fake')),
        );
      };
      implementation[name] = unary;
    }
    server.addService(service.definition as unknown as ServiceDefinition, implementation);
  }
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port: boundPort,
    address: `127.0.0.1:${boundPort}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}
