import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CallContext } from './call-context';
import { splitMethodPath, type RequestOf, type ResponseOf, type ServiceDefinitionLike } from './method-types';

/** Handlers as plain async functions, typed from the generated service definition. */
export type UnaryHandlers<D extends ServiceDefinitionLike> = {
  [K in keyof D]: (request: RequestOf<D[K]>, ctx: CallContext) => Promise<ResponseOf<D[K]>>;
};

/** Runs one handler call; supplied by the server, which owns context, logging and error mapping. */
export type CallRunner = (
  method: { service: string; method: string },
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  handler: (request: unknown, ctx: CallContext) => Promise<unknown>,
) => void;

/** A service ready to be served by startGrpcServer. */
export interface ServiceRegistration {
  /** Fully qualified name, e.g. "shop.user.v1.UserService"; what health and reflection report. */
  serviceName: string;
  definition: ServiceDefinitionLike;
  bind(run: CallRunner): UntypedServiceImplementation;
}

export function implement<D extends ServiceDefinitionLike>(definition: D, handlers: UnaryHandlers<D>): ServiceRegistration {
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
        const handler = handlers[name] as (request: unknown, ctx: CallContext) => Promise<unknown>;
        const where = splitMethodPath(definition[name]!.path);
        implementation[name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
          run(where, call, callback, handler);
      }
      return implementation;
    },
  };
}
