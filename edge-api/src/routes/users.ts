import { PageQuery, IdParams } from '../schemas/common';
import { roleFromJson, userToJson } from '../mappers/users';
import { defineRoute, type Route } from '../registry/route';
import { SetRoleBody, UpdateProfileBody, UserListSchema, UserSchema } from '../schemas/users';
import type { RouteDeps } from './deps';

export function userRoutes({ clients }: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/users/me', operationId: 'getMe', tags: ['users'], auth: 'user',
      summary: 'The signed-in user',
      response: { status: 200, description: 'The caller', schema: UserSchema },
      handler: async ({ caller }) => {
        const { user } = await clients.user.getUser({ userId: caller.principal?.userId ?? '' });
        return { body: userToJson(user) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/v1/users/me', operationId: 'updateMe', tags: ['users'], auth: 'user',
      summary: 'Update the own profile (name only; role and email are not writable)',
      body: UpdateProfileBody,
      response: { status: 200, description: 'The updated user', schema: UserSchema },
      errors: [400],
      handler: async ({ body }) => {
        const { user } = await clients.user.updateProfile({ name: body.name });
        return { body: userToJson(user) };
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/admin/users', operationId: 'listUsers', tags: ['admin'], auth: 'admin',
      summary: 'List users',
      query: PageQuery,
      response: { status: 200, description: 'A page of users', schema: UserListSchema },
      errors: [400],
      handler: async ({ query }) => {
        const page = await clients.user.listUsers({ pageSize: query.page_size ?? 0, pageToken: query.page_token ?? '' });
        return { body: { users: page.users.map(userToJson), nextPageToken: page.nextPageToken } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/v1/admin/users/{id}/role', operationId: 'setUserRole', tags: ['admin'], auth: 'admin',
      summary: "Set a user's role",
      params: IdParams,
      body: SetRoleBody,
      response: { status: 200, description: 'The updated user', schema: UserSchema },
      errors: [400, 404],
      handler: async ({ params, body }) => {
        const { user } = await clients.user.setUserRole({ userId: params.id, role: roleFromJson(body.role) });
        return { body: userToJson(user) };
      },
    }),
  ];
}
