import type { z } from 'zod';
import { Role, type TokenPair, type User } from '@shop/proto/gen/shop/user/v1/user';
import type { TokenPairSchema, UserSchema } from '../schemas/users';
import { timestampToJson } from './common';

export type UserJson = z.input<typeof UserSchema>;

// An unspecified role is treated as the least privileged one.
export const roleToJson = (role: Role): 'CUSTOMER' | 'ADMIN' => (role === Role.ROLE_ADMIN ? 'ADMIN' : 'CUSTOMER');

export const roleFromJson = (role: 'CUSTOMER' | 'ADMIN'): Role => (role === 'ADMIN' ? Role.ROLE_ADMIN : Role.ROLE_CUSTOMER);

export const userToJson = (user: User | undefined): UserJson => {
  if (!user) throw new Error('user service answered without a user');
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: roleToJson(user.role),
    createdAt: timestampToJson(user.createTime),
    updatedAt: timestampToJson(user.updateTime),
  };
};

export const tokensToJson = (tokens: TokenPair | undefined): z.input<typeof TokenPairSchema> => {
  if (!tokens) throw new Error('user service answered without tokens');
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresInSeconds, tokenType: 'Bearer' };
};
