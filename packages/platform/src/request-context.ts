import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What travels with one incoming request through this process: set by the gRPC server (or the edge) and read
 * by the logger and by the client factory, which forwards request id, authorization and the remaining deadline.
 */
export interface RequestContext {
  requestId: string;
  /** The caller's `authorization` value ("Bearer ..."), forwarded on outgoing calls. */
  authorization?: string | undefined;
  /** Absolute deadline of the incoming call, in epoch milliseconds. */
  deadline?: number | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithRequestContext = <T>(context: RequestContext, fn: () => T): T => storage.run(context, fn);

export const currentRequestContext = (): RequestContext | undefined => storage.getStore();

export const REQUEST_ID_HEADER = 'x-request-id';
export const AUTHORIZATION_HEADER = 'authorization';
