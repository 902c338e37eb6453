import { userToJson, tokensToJson } from '../mappers/users';
import { defineRoute, type Route } from '../registry/route';
import { LoginBody, RefreshTokenBody, RegisterBody, TokenPairSchema, UserSchema } from '../schemas/users';
import type { RouteDeps } from './deps';

export function authRoutes({ clients }: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/auth/register', operationId: 'register', tags: ['auth'], auth: 'public',
      summary: 'Create a customer account',
      description: 'Registrations are limited per client address (429 with Retry-After).',
      body: RegisterBody,
      response: { status: 201, description: 'The new account', schema: UserSchema },
      errors: [400, 409, 429],
      handler: async ({ body, req }) => {
        // req.ip honours TRUST_PROXY, as for sign-in.
        const { user } = await clients.user.register({ ...body, clientAddress: req.ip ?? '' });
        return { body: userToJson(user) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/auth/login', operationId: 'login', tags: ['auth'], auth: 'public',
      summary: 'Sign in with email and password',
      description: 'Failed attempts are throttled per account and per client address (429 with Retry-After).',
      body: LoginBody,
      response: { status: 200, description: 'A token pair', schema: TokenPairSchema },
      errors: [400, 401, 429],
      handler: async ({ body, req }) => {
        // req.ip honours TRUST_PROXY, so throttling keys on the real client behind a trusted proxy only.
        const { tokens } = await clients.user.authenticate({ ...body, clientAddress: req.ip ?? '' });
        return { body: tokensToJson(tokens) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/auth/refresh', operationId: 'refreshToken', tags: ['auth'], auth: 'public',
      summary: 'Exchange a refresh token for a new pair (the old one stops working)',
      body: RefreshTokenBody,
      response: { status: 200, description: 'A new token pair', schema: TokenPairSchema },
      errors: [400, 401],
      handler: async ({ body }) => {
        const { tokens } = await clients.user.refreshToken({ refreshToken: body.refreshToken });
        return { body: tokensToJson(tokens) };
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/auth/logout', operationId: 'logout', tags: ['auth'], auth: 'public',
      summary: 'Revoke a refresh token',
      body: RefreshTokenBody,
      response: { status: 204, description: 'Revoked (also when it already was)' },
      errors: [400],
      handler: async ({ body }) => {
        await clients.user.logout({ refreshToken: body.refreshToken });
        return {};
      },
    }),
  ];
}
