import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { status } from '@grpc/grpc-js';
import { createTokenVerifier } from '../src/auth/token-verifier';
import { DomainError } from '../src/errors/domain-error';

const ISSUER = 'shop-user-service';
const AUDIENCE = 'shop';

async function keyPair(kid: string): Promise<{ privateKey: KeyLike; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: 'user-1', role: 'CUSTOMER', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 900, jti: 'token-1', ...overrides,
});

describe('token verifier', () => {
  let signing: { privateKey: KeyLike; publicJwk: JWK };
  let keyFetches = 0;
  const verifier = () =>
    createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: async () => {
        keyFetches += 1;
        return [signing.publicJwk];
      },
      refreshCooldownMs: 60_000,
    });
  const sign = (payload: Record<string, unknown>, kid = 'key-1') =>
    new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid }).sign(signing.privateKey);
  const rejects = async (token: string, verify = verifier()) => {
    const error = await verify.verify(token).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(status.UNAUTHENTICATED);
  };

  beforeAll(async () => {
    signing = await keyPair('key-1');
  });

  it('accepts a valid EdDSA access token and reads the principal', async () => {
    await expect(verifier().verify(await sign(claims({ role: 'ADMIN' })))).resolves.toEqual({ userId: 'user-1', role: 'ADMIN', tokenId: 'token-1' });
  });

  it('rejects alg none', async () => {
    await rejects(`${b64({ alg: 'none', typ: 'JWT', kid: 'key-1' })}.${b64(claims())}.`);
  });

  it('rejects HS256 signed with the public key as the secret', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'key-1' });
    const body = b64(claims({ role: 'ADMIN' }));
    for (const secret of [JSON.stringify(signing.publicJwk), signing.publicJwk.x!, Buffer.from(signing.publicJwk.x!, 'base64url')]) {
      const mac = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
      await rejects(`${header}.${body}.${mac}`);
    }
  });

  it('rejects expired tokens, wrong issuer, wrong audience and unknown roles', async () => {
    await rejects(await sign(claims({ iat: now() - 3600, exp: now() - 60 })));
    await rejects(await sign(claims({ iss: 'someone-else' })));
    await rejects(await sign(claims({ aud: 'another-api' })));
    await rejects(await sign(claims({ role: 'SUPERUSER' })));
  });

  it('rejects an unknown kid, refreshing the keys at most once per cooldown', async () => {
    const stranger = await keyPair('key-unknown');
    const verify = verifier();
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'key-unknown' }).sign(stranger.privateKey);
    keyFetches = 0;
    await rejects(forged, verify);
    await rejects(forged, verify);
    await rejects(forged, verify);
    expect(keyFetches).toBe(1);
  });

  it('rejects a token signed by another key under a known kid', async () => {
    const stranger = await keyPair('key-1');
    await rejects(await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'key-1' }).sign(stranger.privateKey));
  });
});

describe('token verifier without reachable keys', () => {
  it('answers UNAVAILABLE, not UNAUTHENTICATED, while no key could ever be read', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid: 'key-1' }).sign(privateKey);
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: () => Promise.reject(new Error('user service unreachable')),
    });
    const error = await verifier.verify(token).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(status.UNAVAILABLE);
    expect((error as DomainError).reason).toBe('SIGNING_KEYS_UNAVAILABLE');
  });
});
