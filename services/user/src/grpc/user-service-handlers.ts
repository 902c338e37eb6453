import { implement, type ServiceRegistration } from '@shop/platform';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';
import type { AccountService } from '../domain/account-service';
import type { AuthService } from '../domain/auth-service';
import type { ServiceClientAuthenticator } from '../domain/service-clients';
import type { SigningKeys } from '../security/signing-keys';
import { roleFromProto, toProtoJwk, toProtoTokens, toProtoUser } from './mappers';

export interface UserHandlerDeps {
  auth: AuthService;
  accounts: AccountService;
  keys: SigningKeys;
  serviceClients: ServiceClientAuthenticator;
}

/** shop.user.v1.UserService: translation only; the domain services decide. */
export function userServiceRegistration({ auth, accounts, keys, serviceClients }: UserHandlerDeps): ServiceRegistration {
  return implement(UserServiceService, {
    async register(request) {
      const user = await auth.register({ email: request.email, password: request.password, name: request.name, clientAddress: request.clientAddress });
      return { user: toProtoUser(user) };
    },

    async authenticate(request) {
      const { user, tokens } = await auth.authenticate({ email: request.email, password: request.password, clientAddress: request.clientAddress });
      return { user: toProtoUser(user), tokens: toProtoTokens(tokens) };
    },

    async refreshToken(request) {
      return { tokens: toProtoTokens(await auth.refresh(request.refreshToken)) };
    },

    async logout(request) {
      await auth.logout(request.refreshToken);
      return {};
    },

    async getUser(request, ctx) {
      const caller = await ctx.principal();
      return { user: toProtoUser(await accounts.getUser(caller, request.userId)) };
    },

    async updateProfile(request, ctx) {
      const caller = await ctx.principal();
      return { user: toProtoUser(await accounts.updateProfile(caller, { name: request.name })) };
    },

    async listUsers(request, ctx) {
      const caller = await ctx.requireAdmin();
      const page = await accounts.listUsers(caller, { pageSize: request.pageSize, pageToken: request.pageToken });
      return { users: page.users.map(toProtoUser), nextPageToken: page.nextPageToken };
    },

    async setUserRole(request, ctx) {
      const caller = await ctx.requireAdmin();
      return { user: toProtoUser(await accounts.setUserRole(caller, request.userId, roleFromProto(request.role))) };
    },

    async getJwks() {
      return { keys: keys.publicJwks.map(toProtoJwk) };
    },

    async issueServiceToken(request) {
      const issued = await serviceClients.issueToken(request.clientId, request.clientSecret);
      return { accessToken: issued.token, expiresInSeconds: issued.expiresInSeconds };
    },
  });
}
