import { status } from '@grpc/grpc-js';
import { DomainError } from '@shop/platform';
import { normaliseEmail, validateEmail, validateName, validatePasswordForSignIn, validatePasswordLength } from '../src/domain/credentials';
import { createUserPageTokens, resolvePageSize } from '../src/domain/pagination';
import { judgeRefreshToken, type StoredRefreshToken } from '../src/domain/refresh-rotation';
import { decideThrottle } from '../src/domain/sign-in-throttle';

const codeOf = (fn: () => unknown): status | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
};

describe('credential rules', () => {
  it('normalises emails by trimming and lower-casing', () => {
    expect(normaliseEmail('  Ada@Example.ORG ')).toBe('ada@example.org');
    expect(validateEmail(' Ada@Example.ORG')).toBe('ada@example.org');
    expect(codeOf(() => validateEmail('no-at-sign'))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => validateEmail(`${'a'.repeat(250)}@x.io`))).toBe(status.INVALID_ARGUMENT);
  });

  it('bounds passwords in UTF-8 bytes: 8..1024 to register, only the upper bound to sign in', () => {
    expect(codeOf(() => validatePasswordLength('a'.repeat(1024)))).toBeUndefined();
    expect(codeOf(() => validatePasswordLength('a'.repeat(1025)))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => validatePasswordLength('é'.repeat(513)))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => validatePasswordLength('1234567'))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => validatePasswordForSignIn('short'))).toBeUndefined();
    expect(codeOf(() => validatePasswordForSignIn('a'.repeat(1025)))).toBe(status.INVALID_ARGUMENT);
  });

  it('trims names and bounds them at 100 characters', () => {
    expect(validateName('  Ada ')).toBe('Ada');
    expect(validateName('😀'.repeat(100))).toHaveLength(200);
    expect(codeOf(() => validateName('x'.repeat(101)))).toBe(status.INVALID_ARGUMENT);
    expect(codeOf(() => validateName(' '))).toBe(status.INVALID_ARGUMENT);
  });
});

describe('sign-in throttle decision', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it('allows when no scope reached its limit', () => {
    expect(decideThrottle([null, null], 900, now)).toEqual({ allowed: true });
  });

  it('blocks until the limiting failure leaves the window, taking the later of the scopes', () => {
    expect(decideThrottle([minutesAgo(10), null], 900, now)).toEqual({ allowed: false, retryAfterSeconds: 300 });
    expect(decideThrottle([minutesAgo(10), minutesAgo(1)], 900, now)).toEqual({ allowed: false, retryAfterSeconds: 840 });
  });

  it('ignores failures that are already out of the window', () => {
    expect(decideThrottle([minutesAgo(16)], 900, now)).toEqual({ allowed: true });
  });
});

describe('refresh token verdict', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const token = (overrides: Partial<StoredRefreshToken> = {}): StoredRefreshToken => ({
    tokenId: 't', familyId: 'f', userId: 'u', expiresAt: new Date(now.getTime() + 60_000), usedAt: null, familyRevokedAt: null, ...overrides,
  });

  it('rotates a fresh unused token', () => {
    expect(judgeRefreshToken(token(), now)).toEqual({ kind: 'rotate' });
  });

  it('treats a second use as reuse, even when it has expired since', () => {
    expect(judgeRefreshToken(token({ usedAt: now }), now)).toEqual({ kind: 'reuse' });
    expect(judgeRefreshToken(token({ usedAt: now, expiresAt: new Date(0) }), now)).toEqual({ kind: 'reuse' });
  });

  it('rejects unknown, expired and revoked tokens', () => {
    expect(judgeRefreshToken(null, now)).toEqual({ kind: 'reject' });
    expect(judgeRefreshToken(token({ expiresAt: now }), now)).toEqual({ kind: 'reject' });
    expect(judgeRefreshToken(token({ familyRevokedAt: now, usedAt: now }), now)).toEqual({ kind: 'reject' });
  });
});

describe('ListUsers paging rules', () => {
  it('defaults, clamps and refuses negative sizes', () => {
    expect(resolvePageSize(0)).toBe(50);
    expect(resolvePageSize(7)).toBe(7);
    expect(resolvePageSize(10_000)).toBe(200);
    expect(codeOf(() => resolvePageSize(-1))).toBe(status.INVALID_ARGUMENT);
  });

  it('round-trips a cursor and refuses tokens signed with another secret', () => {
    const tokens = createUserPageTokens('secret-a');
    const cursor = { createdAt: new Date('2026-01-01T00:00:00.123Z'), id: '6f1c3f5e-8a47-4c8e-9d7a-2b1c0e9f4a11' };
    expect(tokens.decode(tokens.encode(cursor))).toEqual(cursor);
    expect(tokens.decode('')).toBeUndefined();
    expect(codeOf(() => createUserPageTokens('secret-b').decode(tokens.encode(cursor)))).toBe(status.INVALID_ARGUMENT);
  });
});
