import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  /** The public half as published in the JWK set. */
  publicJwk: JWK;
  /** The private half, as the user service reads it from JWT_PRIVATE_KEY_JWK. */
  privateJwk: JWK;
}

export async function createSigningKey(kid = `test-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { kid, privateKey, publicJwk, privateJwk };
}

export async function signingKeyFromJwk(privateJwk: JWK & { kid: string }): Promise<SigningKey> {
  const { d: _private, ...publicJwk } = privateJwk;
  return { kid: privateJwk.kid, privateKey: await importJWK(privateJwk, 'EdDSA'), publicJwk, privateJwk };
}

export interface Claims {
  sub: string;
  role: 'CUSTOMER' | 'ADMIN' | 'SERVICE';
  iss: string;
  aud: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  kid?: string;
}

/** A correctly signed access token with whatever claims a test needs, expired ones included. */
export async function signAccessToken(key: SigningKey, claims: Claims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = claims.expiresIn ?? 900;
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'EdDSA', kid: claims.kid ?? key.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setJti(randomUUID())
    .setIssuedAt(expiresIn < 0 ? now + expiresIn - 900 : now)
    .setExpirationTime(now + expiresIn)
    .sign(key.privateKey);
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The classic downgrade: an unsigned token that claims to be an admin. */
export function unsignedToken(claims: Omit<Claims, 'expiresIn'>): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: claims.sub, role: claims.role, iss: claims.iss, aud: claims.aud, jti: randomUUID(), iat: now, exp: now + 900 };
  return `${base64url({ alg: 'none', typ: 'JWT', kid: claims.kid })}.${base64url(payload)}.`;
}

/** Key confusion: HS256 with the server's public key (as published) used as the HMAC secret. */
export async function hs256WithPublicKey(publicJwk: JWK, claims: Omit<Claims, 'expiresIn'>): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'HS256', kid: claims.kid ?? publicJwk.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(secret);
}
