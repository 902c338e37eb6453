import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { bearerToken, isUserPrincipal, type Principal, type Role, type UserPrincipal } from '../auth/principal';
import type { TokenVerifier } from '../auth/token-verifier';
import { permissionDenied, unauthenticated } from '../errors/domain-error';
import type { Logger } from '../logger';
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from '../request-context';

/** What a handler gets besides its request. */
export interface CallContext {
  requestId: string;
  metadata: Metadata;
  /** Absolute deadline in epoch ms, or undefined when the caller set none. */
  deadline: number | undefined;
  logger: Logger;
  /** Raw `authorization` metadata, for forwarding. */
  authorization: string | undefined;
  /** The verified end user calling; UNAUTHENTICATED without a valid token, PERMISSION_DENIED for service tokens. */
  principal(): Promise<UserPrincipal>;
  /** The verified end user, or undefined for anonymous calls; an invalid token is still UNAUTHENTICATED. */
  optionalPrincipal(): Promise<UserPrincipal | undefined>;
  /** The verified caller, end user or internal service (role SERVICE), for RPCs other services call. */
  caller(): Promise<Principal>;
  /** The verified end user, who must be an admin (PERMISSION_DENIED otherwise). */
  requireAdmin(): Promise<UserPrincipal>;
  /** The verified caller, who must hold one of these roles, e.g. SERVICE for RPCs only other services may call. */
  requireRole(...roles: Role[]): Promise<Principal>;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(metadata: Metadata): string {
  const incoming = metadata.get(REQUEST_ID_HEADER)[0];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function createCallContext(args: {
  metadata: Metadata;
  deadline: number | undefined;
  requestId: string;
  logger: Logger;
  verifier: TokenVerifier | undefined;
}): CallContext {
  const raw = args.metadata.get(AUTHORIZATION_HEADER)[0];
  const authorization = typeof raw === 'string' ? raw : undefined;
  let verified: Promise<Principal | undefined> | undefined;

  const verifiedCaller = (): Promise<Principal | undefined> => {
    verified ??= (async () => {
      if (authorization === undefined) return undefined;
      const token = bearerToken(authorization);
      if (!token || !args.verifier) throw unauthenticated('Invalid or expired access token');
      return args.verifier.verify(token);
    })();
    return verified;
  };
  const optionalPrincipal = async (): Promise<UserPrincipal | undefined> => {
    const caller = await verifiedCaller();
    if (caller && !isUserPrincipal(caller)) throw permissionDenied('This operation is for signed-in users');
    return caller;
  };
  const principal = async (): Promise<UserPrincipal> => {
    const caller = await optionalPrincipal();
    if (!caller) throw unauthenticated();
    return caller;
  };
  const caller = async (): Promise<Principal> => {
    const found = await verifiedCaller();
    if (!found) throw unauthenticated();
    return found;
  };

  return {
    requestId: args.requestId,
    metadata: args.metadata,
    deadline: args.deadline,
    logger: args.logger,
    authorization,
    principal,
    optionalPrincipal,
    caller,
    async requireAdmin() {
      const user = await principal();
      if (user.role !== 'ADMIN') throw permissionDenied('This operation requires the admin role');
      return user;
    },
    async requireRole(...roles) {
      const found = await caller();
      if (!roles.includes(found.role)) throw permissionDenied('You do not have permission to do this');
      return found;
    },
  };
}
