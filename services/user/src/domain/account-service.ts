import { failedPrecondition, invalidArgument, notFound, permissionDenied } from '@shop/platform';
import { validateName } from './credentials';
import { resolvePageSize, type UserPageTokens } from './pagination';
import type { UserStore } from './ports';
import type { Role, UserRecord } from './user';

/** Who is asking, as established from a verified access token. */
export interface Caller {
  userId: string;
  role: Role;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireUserId(id: string): string {
  if (!UUID.test(id)) throw invalidArgument('user_id is not valid', [{ field: 'user_id', description: 'must be a UUID' }]);
  return id.toLowerCase();
}

const requireAdmin = (caller: Caller): void => {
  if (caller.role !== 'ADMIN') throw permissionDenied('Only administrators may do this');
};

/** Reading and changing accounts once the caller is known. Roles are enforced here, not in the handlers. */
export class AccountService {
  constructor(
    private readonly users: UserStore,
    private readonly pageTokens: UserPageTokens,
  ) {}

  /** An empty id means the caller. Others' accounts are for admins only. */
  async getUser(caller: Caller, userId: string): Promise<UserRecord> {
    const id = userId === '' ? caller.userId : requireUserId(userId);
    if (id !== caller.userId) requireAdmin(caller);
    const user = await this.users.findById(id);
    if (user === null) throw notFound('User not found');
    return user;
  }

  /** Only the name is writable: email and role are not part of a profile. */
  async updateProfile(caller: Caller, changes: { name?: string | undefined }): Promise<UserRecord> {
    if (changes.name === undefined) return this.getUser(caller, '');
    const user = await this.users.updateName(caller.userId, validateName(changes.name));
    if (user === null) throw notFound('User not found');
    return user;
  }

  async listUsers(caller: Caller, page: { pageSize: number; pageToken: string }): Promise<{ users: UserRecord[]; nextPageToken: string }> {
    requireAdmin(caller);
    const limit = resolvePageSize(page.pageSize);
    const after = this.pageTokens.decode(page.pageToken);
    // One extra row tells whether another page exists without a count query.
    const rows = await this.users.list(after, limit + 1);
    const users = rows.slice(0, limit);
    const last = users[users.length - 1];
    const nextPageToken = rows.length > limit && last ? this.pageTokens.encode({ createdAt: last.createdAt, id: last.id }) : '';
    return { users, nextPageToken };
  }

  async setUserRole(caller: Caller, userId: string, role: Role | undefined): Promise<UserRecord> {
    requireAdmin(caller);
    const id = requireUserId(userId);
    if (role === undefined) throw invalidArgument('role is required', [{ field: 'role', description: 'must be ROLE_CUSTOMER or ROLE_ADMIN' }]);
    // An admin demoting themselves could leave the shop with no admin at all.
    if (id === caller.userId && role !== 'ADMIN') throw failedPrecondition('CANNOT_DEMOTE_SELF', 'Administrators cannot remove their own admin role');
    const user = await this.users.setRole(id, role);
    if (user === null) throw notFound('User not found');
    return user;
  }
}
