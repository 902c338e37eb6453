/** SERVICE is held by internal callers that act on no user's behalf (client-credentials tokens). */
export const ROLES = ['CUSTOMER', 'ADMIN', 'SERVICE'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified access token. For SERVICE tokens userId is "service:<client id>". */
export interface Principal {
  userId: string;
  role: Role;
  /** The token's jti. */
  tokenId: string;
}

/** A principal that is an end user (customer or admin), not an internal service. */
export interface UserPrincipal extends Principal {
  role: 'CUSTOMER' | 'ADMIN';
}

export const isUserPrincipal = (principal: Principal): principal is UserPrincipal => principal.role !== 'SERVICE';

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Reads "Bearer <token>"; anything else yields undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*\.[A-Za-z0-9\-_]*)$/.exec(authorization.trim());
  return match?.[1];
}
