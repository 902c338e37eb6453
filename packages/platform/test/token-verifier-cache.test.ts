import { status } from '@grpc/grpc-js';
import * as jose from 'jose';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createTokenVerifier } from '../src/auth/token-verifier';
import { VerifiedTokenCache } from '../src/auth/verified-token-cache';
import { DomainError } from '../src/errors/domain-error';

// Counts full verifications, to tell a cache hit from a miss; the real jwtVerify still does the work.
jest.mock('jose', () => {
  const actual = jest.requireActual<typeof jose>('jose');
  return { ...actual, jwtVerify: jest.fn(actual.jwtVerify) };
});
const fullVerifications = () => (jose.jwtVerify as jest.Mock).mock.calls.length;

const ISSUER = 'shop-user-service';
const AUDIENCE = 'shop';

async function keyPair(kid: string): Promise<{ privateKey: KeyLike; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

describe('token verifier cache', () => {
  let first: { privateKey: KeyLike; publicJwk: JWK };
  let second: { privateKey: KeyLike; publicJwk: JWK };
  let published: JWK[];
  let clock: number;
  const T0 = Date.parse('2030-01-01T00:00:00Z');

  const verifier = (options: { cacheTtlMs?: number; cacheMaxEntries?: number } = {}) =>
    createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: async () => published, refreshCooldownMs: 0, now: () => clock, ...options });
  const sign = (signer: { privateKey: KeyLike }, kid: string, lifetimeSeconds = 900, jti = 'token-1') =>
    new SignJWT({ role: 'CUSTOMER' })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject('user-1').setIssuer(ISSUER).setAudience(AUDIENCE).setJti(jti)
      .setIssuedAt(Math.floor(clock / 1000)).setExpirationTime(Math.floor(clock / 1000) + lifetimeSeconds)
      .sign(signer.privateKey);
  const outcome = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code === status.UNAUTHENTICATED ? 'rejected' : `code ${(error as DomainError).code}`;
  });

  beforeAll(async () => {
    first = await keyPair('key-1');
    second = await keyPair('key-2');
  });

  beforeEach(() => {
    (jose.jwtVerify as jest.Mock).mockClear();
    published = [first.publicJwk];
    clock = T0;
  });

  it('answers a repeated token without verifying it again, until the TTL runs out', async () => {
    const verify = verifier({ cacheTtlMs: 60_000 });
    const token = await sign(first, 'key-1');
    await expect(verify.verify(token)).resolves.toEqual({ userId: 'user-1', role: 'CUSTOMER', tokenId: 'token-1' });
    clock += 59_000;
    await expect(verify.verify(token)).resolves.toEqual({ userId: 'user-1', role: 'CUSTOMER', tokenId: 'token-1' });
    expect(fullVerifications()).toBe(1);
    clock += 2_000;
    await expect(verify.verify(token)).resolves.toMatchObject({ userId: 'user-1' });
    expect(fullVerifications()).toBe(2);
  });

  it('still ends a cached token at its exp', async () => {
    const verify = verifier({ cacheTtlMs: 3_600_000 });
    const token = await sign(first, 'key-1', 30);
    expect(await outcome(verify.verify(token))).toBe('accepted');
    clock += 29_000;
    expect(await outcome(verify.verify(token))).toBe('accepted');
    expect(fullVerifications()).toBe(1);
    // Past exp and the 5 s clock tolerance: nothing may answer it.
    clock += 10_000;
    expect(await outcome(verify.verify(token))).toBe('rejected');
  });

  it('never accepts a tampered token because its original is cached, and never caches a failure', async () => {
    const verify = verifier();
    const token = await sign(first, 'key-1');
    expect(await outcome(verify.verify(token))).toBe('accepted');
    const [header, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url');
    // A character in the middle of the signature: every bit of it is signature (the last one holds padding bits).
    const middle = Math.floor(signature.length / 2);
    const flipped = `${signature.slice(0, middle)}${signature[middle] === 'A' ? 'B' : 'A'}${signature.slice(middle + 1)}`;
    for (const tampered of [`${header}.${forgedBody}.${signature}`, `${header}.${body}.${flipped}`]) {
      expect(await outcome(verify.verify(tampered))).toBe('rejected');
      expect(await outcome(verify.verify(tampered))).toBe('rejected');
    }
    expect(fullVerifications()).toBe(5);
  });

  it('re-verifies cached tokens once the key set is replaced (rotation that dropped their key)', async () => {
    const verify = verifier();
    const old = await sign(first, 'key-1', 900, 'old');
    expect(await outcome(verify.verify(old))).toBe('accepted');
    published = [second.publicJwk];
    // A token under a new kid makes the verifier fetch the keys again.
    expect(await outcome(verify.verify(await sign(second, 'key-2', 900, 'new')))).toBe('accepted');
    expect(await outcome(verify.verify(old))).toBe('rejected');
  });

  it('can be turned off', async () => {
    const verify = verifier({ cacheMaxEntries: 0 });
    const token = await sign(first, 'key-1');
    await verify.verify(token);
    await verify.verify(token);
    expect(fullVerifications()).toBe(2);
  });
});

describe('VerifiedTokenCache', () => {
  const principal = (n: number) => ({ userId: `user-${n}`, role: 'CUSTOMER' as const, tokenId: `t-${n}` });
  const keys = {};

  it('holds at most maxEntries, evicting the least recently used first', () => {
    const now = 1_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 3, ttlMs: 60_000, now: () => now });
    for (const n of [1, 2, 3]) cache.set(`token-${n}`, keys, principal(n), now / 1000 + 900);
    expect(cache.get('token-1', keys)).toEqual(principal(1));
    cache.set('token-4', keys, principal(4), now / 1000 + 900);
    expect(cache.size).toBe(3);
    expect(cache.get('token-2', keys)).toBeUndefined();
    for (const n of [1, 3, 4]) expect(cache.get(`token-${n}`, keys)).toEqual(principal(n));
    for (let n = 5; n < 100; n++) cache.set(`token-${n}`, keys, principal(n), now / 1000 + 900);
    expect(cache.size).toBe(3);
  });

  it('answers nothing for another key set, past exp or past the TTL, and stores no already expired token', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, ttlMs: 60_000, now: () => now });
    cache.set('a', keys, principal(1), now / 1000 + 10);
    cache.set('b', keys, principal(2), now / 1000 + 900);
    cache.set('gone', keys, principal(3), now / 1000 - 1);
    expect(cache.get('gone', keys)).toBeUndefined();
    expect(cache.get('b', {})).toBeUndefined();
    cache.set('b', keys, principal(2), now / 1000 + 900);
    now += 10_000;
    expect(cache.get('a', keys)).toBeUndefined();
    expect(cache.get('b', keys)).toEqual(principal(2));
    now += 50_000;
    expect(cache.get('b', keys)).toBeUndefined();
  });
});
