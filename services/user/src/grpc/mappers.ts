import { Role as ProtoRole, type Jwk, type TokenPair as ProtoTokenPair, type User } from '@shop/proto/gen/shop/user/v1/user';
import type { TokenPair } from '../domain/auth-service';
import type { Role, UserRecord } from '../domain/user';
import type { PublicSigningJwk } from '../security/signing-keys';

export const roleToProto = (role: Role): ProtoRole => (role === 'ADMIN' ? ProtoRole.ROLE_ADMIN : ProtoRole.ROLE_CUSTOMER);

/** undefined for ROLE_UNSPECIFIED (and anything unknown): the domain reports it as a bad argument. */
export function roleFromProto(role: ProtoRole): Role | undefined {
  if (role === ProtoRole.ROLE_ADMIN) return 'ADMIN';
  if (role === ProtoRole.ROLE_CUSTOMER) return 'CUSTOMER';
  return undefined;
}

/** Field by field on purpose: nothing the record might grow (a hash, say) can slip into a response. */
export const toProtoUser = (user: UserRecord): User => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: roleToProto(user.role),
  createTime: user.createdAt,
  updateTime: user.updatedAt,
});

export const toProtoTokens = (tokens: TokenPair): ProtoTokenPair => ({
  accessToken: tokens.accessToken,
  refreshToken: tokens.refreshToken,
  expiresInSeconds: tokens.expiresInSeconds,
  tokenType: 'Bearer',
});

export const toProtoJwk = (key: PublicSigningJwk): Jwk => ({
  kid: key.kid, kty: key.kty, crv: key.crv, x: key.x, y: '', alg: key.alg, use: key.use,
});
