import { z } from 'zod';
import { NEXT_PAGE_TOKEN, TimestampSchema } from './common';

export const RoleSchema = z.enum(['CUSTOMER', 'ADMIN']);

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    createdAt: TimestampSchema.nullable(),
    updatedAt: TimestampSchema.nullable(),
  })
  .meta({ title: 'User' });

export const UserListSchema = z.object({ users: z.array(UserSchema), nextPageToken: NEXT_PAGE_TOKEN });

// Lengths are generous upper bounds; the user service owns the real rules (e.g. minimum password length).
export const RegisterBody = z
  .object({
    email: z.string().min(3).max(320),
    password: z.string().min(1).max(1024),
    name: z.string().min(1).max(200),
  })
  .strict();

export const LoginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).strict();

export const RefreshTokenBody = z.object({ refreshToken: z.string().min(1).max(512) }).strict();

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().meta({ description: 'Access token lifetime in seconds' }),
    tokenType: z.literal('Bearer'),
  })
  .meta({ title: 'TokenPair' });

/** Only the name: role and email are deliberately not accepted here (unknown fields are a 400). */
export const UpdateProfileBody = z.object({ name: z.string().min(1).max(200).optional() }).strict();

export const SetRoleBody = z.object({ role: RoleSchema }).strict();

export const JwkSchema = z.object({
  kid: z.string(),
  kty: z.string(),
  crv: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
});

export const JwksSchema = z.object({ keys: z.array(JwkSchema) });
