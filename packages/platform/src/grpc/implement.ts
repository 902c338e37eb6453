import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CallContext } from './call-context';
import { splitMethodPath, type AnyMethodDefinition, type RequestOf, type ResponseOf } from './method-types';

/** The server's side of a server-streaming call, as a handler sees it. */
export interface ServerStream<Res> {
  /** Sends one message; resolves once the transport took it, so a handler that awaits it cannot outrun its caller. */
  send(message: Res): Promise<void>;
  /** Aborted when the caller cancels or goes away, or when the server shuts down: the handler should then return. */
  signal: AbortSignal;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;
/** Resolving ends the stream with OK; rejecting ends it with the error's status. */
export type ServerStreamHandler<Req, Res> = (request: Req, ctx: CallContext, stream: ServerStream<Res>) => Promise<void>;

/** Handlers as plain async functions, typed from the generated service definition (unary or server-streaming). */
export type ServiceHandlers<D extends ImplementableDefinition> = {
  [K in keyof D]: D[K] extends { responseStream: true }
    ? ServerStreamHandler<RequestOf<D[K]>, ResponseOf<D[K]>>
    : UnaryHandler<RequestOf<D[K]>, ResponseOf<D[K]>>;
};

/** Unary and server-streaming methods; client-streaming ones have no runner. */
export type ImplementableDefinition = Record<string, AnyMethodDefinition & { requestStream: false }>;

export interface MethodName {
  service: string;
  method: string;
}

/** Runs handler calls; supplied by the server, which owns context, logging and error mapping. */
export interface CallRunner {
  unary(
    method: MethodName,
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    handler: UnaryHandler<unknown, unknown>,
  ): void;
  serverStream(method: MethodName, call: ServerWritableStream<unknown, unknown>, handler: ServerStreamHandler<unknown, unknown>): void;
}

/** A service ready to be served by startGrpcServer. */
export interface ServiceRegistration {
  /** Fully qualified name, e.g. "shop.user.v1.UserService"; what health and reflection report. */
  serviceName: string;
  definition: ImplementableDefinition;
  bind(run: CallRunner): UntypedServiceImplementation;
}

export function implement<D extends ImplementableDefinition>(definition: D, handlers: ServiceHandlers<D>): ServiceRegistration {
  const methods = Object.keys(definition) as Array<keyof D & string>;
  const first = methods[0];
  if (first === undefined) throw new Error('A service needs at least one method');
  const serviceName = splitMethodPath(definition[first]!.path).service;
  return {
    serviceName,
    definition,
    bind(run) {
      const implementation: UntypedServiceImplementation = {};
      for (const name of methods) {
        const where = splitMethodPath(definition[name]!.path);
        if (definition[name]!.responseStream) {
          const handler = handlers[name] as ServerStreamHandler<unknown, unknown>;
          implementation[name] = (call: ServerWritableStream<unknown, unknown>) => run.serverStream(where, call, handler);
        } else {
          const handler = handlers[name] as UnaryHandler<unknown, unknown>;
          implementation[name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
            run.unary(where, call, callback, handler);
        }
      }
      return implementation;
    },
  };
}
