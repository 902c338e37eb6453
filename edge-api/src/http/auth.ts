import type { Request } from 'express';
import { status } from '@grpc/grpc-js';
import { bearerToken, DomainError, isUserPrincipal, type Principal, type TokenVerifier } from '@shop/platform';
import type { AuthLevel } from '../registry/route';
import { forbidden, unauthorized } from './problem';

/** Verifies an access token locally (cached public keys); throws for any token it does not accept. */
export type AccessTokenVerifier = TokenVerifier;

/** Who is calling: the verified principal and the raw header, forwarded to services that verify it again. */
export interface Caller {
  principal: Principal | undefined;
  authorization: string | undefined;
}

export const ANONYMOUS: Caller = { principal: undefined, authorization: undefined };

/** Query parameters through which clients sometimes send tokens; refused so they never end up in logs or caches. */
const TOKEN_QUERY_PARAMETERS = ['access_token', 'accessToken', 'id_token', 'bearer'];

/** The query string of a request target, without a fragment; undefined when there is none. */
function queryOf(target: string): string | undefined {
  const start = target.indexOf('?');
  if (start < 0) return undefined;
  const end = target.indexOf('#', start);
  return target.slice(start + 1, end < 0 ? undefined : end);
}

export function rejectTokenInQuery(req: Request): void {
  const query = queryOf(req.originalUrl);
  // Most requests have no query: nothing to parse. Otherwise the same parsing as URL#searchParams.
  if (query === undefined) return;
  const params = new URLSearchParams(query);
  for (const name of TOKEN_QUERY_PARAMETERS) {
    if (params.has(name)) {
      throw unauthorized('Access tokens are accepted only in the Authorization header', 'TOKEN_IN_QUERY');
    }
  }
}

async function verifyHeader(header: string, verifier: AccessTokenVerifier): Promise<Principal> {
  const token = bearerToken(header);
  if (!token) throw unauthorized('The Authorization header must carry a Bearer token', 'INVALID_TOKEN');
  try {
    return await verifier.verify(token);
  } catch (error) {
    // The keys could not be read: 503, so that clients retry instead of signing their users out.
    if (error instanceof DomainError && error.code === status.UNAVAILABLE) throw error;
    // Whatever the verifier disliked (signature, alg, iss/aud, expiry, kid), the caller gets a 401, never a 500.
    throw unauthorized('The access token is invalid or expired', 'INVALID_TOKEN');
  }
}

/**
 * Applies a route's auth level; never lets a verification failure become a 500. Synchronous when there is no
 * token to verify (public routes, anonymous readers), so the read path waits on nothing.
 */
export function authenticate(req: Request, level: AuthLevel, verifier: AccessTokenVerifier): Caller | Promise<Caller> {
  rejectTokenInQuery(req);
  if (level === 'public') return ANONYMOUS;
  const header = req.get('authorization');
  if (header === undefined || header.trim() === '') {
    if (level === 'optional') return ANONYMOUS;
    throw unauthorized('Authentication is required');
  }
  return verifiedCaller(header, level, verifier);
}

async function verifiedCaller(header: string, level: AuthLevel, verifier: AccessTokenVerifier): Promise<Caller> {
  const principal = await verifyHeader(header, verifier);
  // Client-credentials tokens of internal services are for service-to-service calls, never for the public API.
  if (!isUserPrincipal(principal)) throw forbidden('Service tokens are not accepted by the public API');
  if (level === 'admin' && principal.role !== 'ADMIN') throw forbidden('This operation requires the admin role');
  return { principal, authorization: header };
}
