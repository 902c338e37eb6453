import {
  Server, ServerCredentials, status, type handleServerStreamingCall, type handleUnaryCall, type Metadata, type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { DomainError, toServiceError } from '@shop/platform';

/** What one fake call answers: a response, or a status with the google.rpc details a real service would send. */
export type FakeAnswer<Res> =
  | { ok: Res }
  | { error: { code: status; message: string; reason?: string; metadata?: Record<string, string>; retryAfterSeconds?: number; fieldViolations?: Array<{ field: string; description: string }> } };

export type FakeHandler<Req, Res> = (request: Req, metadata: Metadata) => FakeAnswer<Res> | Promise<FakeAnswer<Res>>;

export type FakeError = Extract<FakeAnswer<never>, { error: unknown }>['error'];

/** The server's side of one server-streaming call, scripted by the test. */
export interface FakeStream<Res> {
  send(message: Res): void;
  /** Ends the stream with OK. */
  end(): void;
  /** Ends the stream with this status, encoded as the platform encodes it. */
  fail(error: FakeError): void;
  /** True once the stream ended, from either side. */
  readonly closed: boolean;
  /** Settles when the stream ended, from either side (the caller's cancel or deadline, end(), fail()). */
  readonly ended: Promise<void>;
}

/** Called once per server-streaming call; the test keeps the stream and scripts it. */
export type FakeStreamHandler<Req, Res> = (request: Req, stream: FakeStream<Res>, metadata: Metadata) => void;

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
  handlers: Partial<Record<keyof D, FakeHandler<never, unknown> | FakeStreamHandler<never, unknown>>>;
}

/** Typed helper so each handler sees its method's request and response types. */
export function fake<D extends Record<string, MethodLike>>(
  definition: D,
  handlers: {
    [K in keyof D]?: D[K] extends { requestDeserialize: (b: Buffer) => infer Req; responseDeserialize: (b: Buffer) => infer Res }
      ? D[K] extends { responseStream: true }
        ? FakeStreamHandler<Req, Res>
        : FakeHandler<Req, Res>
      : never;
  },
): FakeService<D> {
  return { definition, handlers: handlers as FakeService<D>['handlers'] };
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
  // Open streams end with UNAVAILABLE when the server stops, as the platform server ends them on shutdown.
  const openStreams = new Set<FakeStream<unknown>>();
  for (const [definition, handlers] of merged) {
    const service = { definition, handlers };
    const implementation: UntypedServiceImplementation = {};
    for (const [name, handler] of Object.entries(service.handlers)) {
      if (!handler) continue;
      const method = service.definition[name]!;
      if (method.responseStream) {
        const streaming: handleServerStreamingCall<unknown, unknown> = (call) => {
          calls.push({ path: method.path, metadata: call.metadata, request: call.request });
          const stream = fakeStream(call);
          openStreams.add(stream);
          void stream.ended.then(() => openStreams.delete(stream));
          (handler as FakeStreamHandler<never, unknown>)(call.request as never, stream, call.metadata);
        };
        implementation[name] = streaming;
        continue;
      }
      const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
        calls.push({ path: method.path, metadata: call.metadata, request: call.request });
        Promise.resolve((handler as FakeHandler<never, unknown>)(call.request as never, call.metadata)).then(
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
    stop: () => {
      for (const stream of openStreams) stream.fail({ code: status.UNAVAILABLE, message: 'The server is shutting down', reason: 'SHUTTING_DOWN' });
      return new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown());
    },
  };
}

function fakeStream(call: Parameters<handleServerStreamingCall<unknown, unknown>>[0]): FakeStream<unknown> {
  let closed = false;
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const close = () => {
    closed = true;
    markEnded();
  };
  call.on('cancelled', close);
  return {
    send(message) {
      if (!closed) call.write(message);
    },
    end() {
      if (closed) return;
      close();
      call.end();
    },
    fail({ code, message, ...options }) {
      if (closed) return;
      close();
      call.emit('error', toServiceError(new DomainError(code, message, options), 'shop.fake'));
    },
    get closed() {
      return closed;
    },
    ended,
  };
}
