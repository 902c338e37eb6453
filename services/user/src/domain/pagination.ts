import { createPageTokenCodec, resolvePageSize as resolveAip158PageSize } from '@shop/platform';
import type { UserCursor } from './user';

export const USER_PAGE_LIMITS = { defaultSize: 50, maxSize: 200 };

export const resolvePageSize = (requested: number): number => resolveAip158PageSize(requested, USER_PAGE_LIMITS);

interface SerialCursor {
  t: string;
  i: string;
}

const isSerialCursor = (value: unknown): value is SerialCursor => {
  if (typeof value !== 'object' || value === null) return false;
  const { t, i } = value as Record<string, unknown>;
  return typeof t === 'string' && !Number.isNaN(Date.parse(t)) && typeof i === 'string' && i.length <= 64;
};

export interface UserPageTokens {
  encode(cursor: UserCursor): string;
  decode(token: string): UserCursor | undefined;
}

// ListUsers has no filters, so every token belongs to the same query.
const SCOPE = 'users';

/** Signed page tokens; replicas must share `secret` to accept each other's tokens. */
export function createUserPageTokens(secret: string): UserPageTokens {
  const codec = createPageTokenCodec<SerialCursor>(secret, isSerialCursor);
  return {
    encode: (cursor) => codec.encode({ t: cursor.createdAt.toISOString(), i: cursor.id }, SCOPE),
    decode(token) {
      const position = codec.decode(token, SCOPE);
      return position === undefined ? undefined : { createdAt: new Date(position.t), id: position.i };
    },
  };
}
