import type { UserStore } from '../domain/ports';
import type { UserRecord } from '../domain/user';
import { Prisma, type User } from '../generated/prisma/client';
import type { UserDatabase } from './prisma-client';

// Every read names its columns, so the password hash is only ever loaded by findCredentials.
const PUBLIC_COLUMNS = { id: true, email: true, name: true, role: true, createdAt: true, updatedAt: true } as const;

const toRecord = (row: Pick<User, keyof typeof PUBLIC_COLUMNS>): UserRecord => ({
  id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt, updatedAt: row.updatedAt,
});

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

const isMissingRow = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';

export function createUserRepository(db: UserDatabase): UserStore {
  return {
    async create(input) {
      try {
        return toRecord(await db.user.create({ data: input, select: PUBLIC_COLUMNS }));
      } catch (error) {
        if (isUniqueViolation(error)) return 'EMAIL_TAKEN';
        throw error;
      }
    },

    async findById(id) {
      const row = await db.user.findUnique({ where: { id }, select: PUBLIC_COLUMNS });
      return row === null ? null : toRecord(row);
    },

    async findCredentials(email) {
      const row = await db.user.findUnique({ where: { email }, select: { ...PUBLIC_COLUMNS, passwordHash: true } });
      return row === null ? null : { user: toRecord(row), passwordHash: row.passwordHash };
    },

    async updateName(id, name) {
      try {
        return toRecord(await db.user.update({ where: { id }, data: { name }, select: PUBLIC_COLUMNS }));
      } catch (error) {
        if (isMissingRow(error)) return null;
        throw error;
      }
    },

    async setRole(id, role) {
      try {
        return toRecord(await db.user.update({ where: { id }, data: { role }, select: PUBLIC_COLUMNS }));
      } catch (error) {
        if (isMissingRow(error)) return null;
        throw error;
      }
    },

    async replacePasswordHash(id, previousHash, nextHash) {
      await db.user.updateMany({ where: { id, passwordHash: previousHash }, data: { passwordHash: nextHash } });
    },

    async list(after, limit) {
      const rows = await db.user.findMany({
        where: after
          ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
          : {},
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
        select: PUBLIC_COLUMNS,
      });
      return rows.map(toRecord);
    },
  };
}
