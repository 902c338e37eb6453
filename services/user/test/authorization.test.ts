import { status } from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Role } from '@shop/proto/gen/shop/user/v1/user';
import { decodeJwt } from 'jose';
import { expectGrpcError } from './support/errors';
import { PASSWORD, startUserServiceForTest, uniqueEmail } from './support/harness';

jest.setTimeout(60_000);

const ADMIN_EMAIL = 'root.admin@example.test';

describe('UserService roles and profiles', () => {
  let harness: Awaited<ReturnType<typeof startUserServiceForTest>>;

  beforeAll(async () => {
    harness = await startUserServiceForTest({ ADMIN_EMAIL: ` ${ADMIN_EMAIL.toUpperCase()} `, ADMIN_PASSWORD: 'admin password 1' });
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function customer(name = 'Carla Customer') {
    const email = uniqueEmail('customer');
    const { user } = await harness.client.call('register', { email, password: PASSWORD, name });
    const { tokens } = await harness.client.call('authenticate', { email, password: PASSWORD, clientAddress: '198.51.100.7' });
    return { user: user!, email, accessToken: tokens!.accessToken, refreshToken: tokens!.refreshToken };
  }

  async function admin() {
    const { tokens, user } = await harness.client.call('authenticate', { email: ADMIN_EMAIL, password: 'admin password 1', clientAddress: '198.51.100.8' });
    return { user: user!, accessToken: tokens!.accessToken };
  }

  it('creates the configured admin account at start', async () => {
    const { user, accessToken } = await admin();
    expect(user.role).toBe(Role.ROLE_ADMIN);
    expect(user.email).toBe(ADMIN_EMAIL);
    expect(decodeJwt(accessToken).role).toBe('ADMIN');
  });

  it('refuses admin RPCs to a customer with PERMISSION_DENIED', async () => {
    const { user, accessToken } = await customer();
    await expectGrpcError(harness.client.call('listUsers', { pageSize: 10, pageToken: '' }, accessToken), status.PERMISSION_DENIED);
    await expectGrpcError(harness.client.call('setUserRole', { userId: user.id, role: Role.ROLE_ADMIN }, accessToken), status.PERMISSION_DENIED);
    const me = await harness.client.call('getUser', { userId: user.id }, accessToken);
    expect(me.user?.role).toBe(Role.ROLE_CUSTOMER);
  });

  it('requires a token for every account RPC', async () => {
    await expectGrpcError(harness.client.call('listUsers', { pageSize: 10, pageToken: '' }), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('setUserRole', { userId: '00000000-0000-0000-0000-000000000000', role: Role.ROLE_ADMIN }), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('updateProfile', { name: 'x' }), status.UNAUTHENTICATED);
    await expectGrpcError(harness.client.call('getUser', { userId: '' }), status.UNAUTHENTICATED);
  });

  it("lets a customer read only their own account, and an admin read anyone's", async () => {
    const alice = await customer('Alice');
    const bob = await customer('Bob');
    await expectGrpcError(harness.client.call('getUser', { userId: bob.user.id }, alice.accessToken), status.PERMISSION_DENIED);
    const { accessToken } = await admin();
    expect((await harness.client.call('getUser', { userId: bob.user.id }, accessToken)).user?.name).toBe('Bob');
    await expectGrpcError(harness.client.call('getUser', { userId: '00000000-0000-4000-8000-000000000000' }, accessToken), status.NOT_FOUND);
    await expectGrpcError(harness.client.call('getUser', { userId: 'not-a-uuid' }, accessToken), status.INVALID_ARGUMENT);
  });

  it('updates only the name: role and email sent by a crafted request are ignored', async () => {
    const me = await customer('Old Name');
    const updated = await harness.client.call('updateProfile', { name: '  New Name  ' }, me.accessToken);
    expect(updated.user).toMatchObject({ name: 'New Name', email: me.email, role: Role.ROLE_CUSTOMER });

    // Field 1 is the name; fields 2 and 4 are where User keeps email and role. A client that pads the request
    // with them must not change either.
    const crafted = new BinaryWriter().uint32(10).string('Crafted').uint32(18).string('attacker@example.test').uint32(32).int32(Role.ROLE_ADMIN).finish();
    const response = await harness.client.callRaw('updateProfile', Buffer.from(crafted), me.accessToken);
    expect(response.user).toMatchObject({ name: 'Crafted', email: me.email, role: Role.ROLE_CUSTOMER });

    const unchanged = await harness.client.call('updateProfile', {}, me.accessToken);
    expect(unchanged.user?.name).toBe('Crafted');
    await expectGrpcError(harness.client.call('updateProfile', { name: ' ' }, me.accessToken), status.INVALID_ARGUMENT);
    await expectGrpcError(harness.client.call('updateProfile', { name: 'n'.repeat(101) }, me.accessToken), status.INVALID_ARGUMENT);

    // A refresh re-reads the account: the role is still CUSTOMER.
    const { tokens } = await harness.client.call('refreshToken', { refreshToken: me.refreshToken });
    expect(decodeJwt(tokens!.accessToken).role).toBe('CUSTOMER');
  });

  it('lets an admin promote a customer; the next refreshed token carries the new role', async () => {
    const target = await customer('Promotee');
    const { accessToken } = await admin();
    const promoted = await harness.client.call('setUserRole', { userId: target.user.id, role: Role.ROLE_ADMIN }, accessToken);
    expect(promoted.user?.role).toBe(Role.ROLE_ADMIN);
    const { tokens } = await harness.client.call('refreshToken', { refreshToken: target.refreshToken });
    expect(decodeJwt(tokens!.accessToken).role).toBe('ADMIN');
    await harness.client.call('listUsers', { pageSize: 1, pageToken: '' }, tokens!.accessToken);

    await expectGrpcError(harness.client.call('setUserRole', { userId: target.user.id, role: Role.ROLE_UNSPECIFIED }, accessToken), status.INVALID_ARGUMENT);
    await expectGrpcError(harness.client.call('setUserRole', { userId: '00000000-0000-4000-8000-000000000000', role: Role.ROLE_ADMIN }, accessToken), status.NOT_FOUND);
  });

  it('does not let an admin demote themselves', async () => {
    const { user, accessToken } = await admin();
    const error = await expectGrpcError(harness.client.call('setUserRole', { userId: user.id, role: Role.ROLE_CUSTOMER }, accessToken), status.FAILED_PRECONDITION);
    expect(error.reason).toBe('CANNOT_DEMOTE_SELF');
  });

  it('lists users in pages that together hold every account exactly once', async () => {
    for (let i = 0; i < 5; i++) await customer(`Listed ${i}`);
    const { accessToken } = await admin();
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await harness.client.call('listUsers', { pageSize: 2, pageToken }, accessToken);
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((user) => user.id));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== '' && pages < 100);
    const all = await harness.client.call('listUsers', { pageSize: 1000, pageToken: '' }, accessToken);
    expect(all.nextPageToken).toBe('');
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.users.map((user) => user.id));
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(all)).not.toContain('argon2');
  });

  it('rejects a negative page size and a forged page token', async () => {
    const { accessToken } = await admin();
    await expectGrpcError(harness.client.call('listUsers', { pageSize: -1, pageToken: '' }, accessToken), status.INVALID_ARGUMENT);
    const forged = await expectGrpcError(harness.client.call('listUsers', { pageSize: 1, pageToken: 'eyJ0IjoiMjAyMCJ9.AAAA' }, accessToken), status.INVALID_ARGUMENT);
    expect(forged.reason).toBe('INVALID_PAGE_TOKEN');
  });
});
