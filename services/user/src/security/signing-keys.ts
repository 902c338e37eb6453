import { createHmac } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK, type KeyLike } from 'jose';
import { z } from 'zod';

export const SIGNING_ALGORITHM = 'EdDSA';

/** A public key as GetJwks and the token verifiers see it (RFC 7517 / RFC 8037). */
export interface PublicSigningJwk {
  kid: string;
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

export interface SigningKeys {
  /** The key new access tokens are signed with. */
  readonly signer: { kid: string; privateKey: KeyLike };
  /** Every key whose tokens are still accepted, the signer included. */
  readonly publicJwks: readonly PublicSigningJwk[];
  /**
   * A secret for another purpose (e.g. page tokens) derived from the signing key, so replicas that share the key
   * agree on it without one more setting. One-way: it reveals nothing about the key.
   */
  deriveSecret(label: string): string;
}

/** A key pair as persisted by the signing key repository. */
export interface StoredSigningKey {
  kid: string;
  algorithm: string;
  privateJwk: unknown;
  publicJwk: unknown;
}

/** Where generated keys live; src/data implements it. */
export interface SigningKeyRepository {
  /** All stored keys, newest first. */
  list(): Promise<StoredSigningKey[]>;
  /** Stores `candidate` only when no key exists yet (replicas starting together agree on one), then lists. */
  insertIfEmpty(candidate: StoredSigningKey): Promise<StoredSigningKey[]>;
}

export type SigningKeySource =
  | { kind: 'jwk'; json: string; kid?: string | undefined }
  | { kind: 'pem'; pem: string; kid?: string | undefined }
  | { kind: 'database'; repository: SigningKeyRepository };

const okpPrivateJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1), d: z.string().min(1), kid: z.string().optional() });
const okpPublicJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) });

export async function loadSigningKeys(source: SigningKeySource): Promise<SigningKeys> {
  if (source.kind === 'database') return loadFromDatabase(source.repository);
  const privateJwk = source.kind === 'jwk' ? parsePrivateJwk(source.json) : await pemToJwk(source.pem);
  const publicJwk = publicPart(privateJwk);
  const kid = source.kid ?? privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return {
    signer: { kid, privateKey: await toPrivateKey(privateJwk) },
    publicJwks: [toPublicSigningJwk(kid, publicJwk)],
    deriveSecret: secretDeriver(privateJwk.d),
  };
}

async function loadFromDatabase(repository: SigningKeyRepository): Promise<SigningKeys> {
  let stored = await repository.list();
  if (stored.length === 0) stored = await repository.insertIfEmpty(await generateStoredKey());
  const usable = stored.filter((key) => key.algorithm === SIGNING_ALGORITHM);
  const newest = usable[0];
  if (newest === undefined) throw new Error(`no ${SIGNING_ALGORITHM} signing key in the database`);
  const privateJwk = okpPrivateJwk.parse(newest.privateJwk);
  return {
    signer: { kid: newest.kid, privateKey: await toPrivateKey(privateJwk) },
    publicJwks: usable.map((key) => toPublicSigningJwk(key.kid, okpPublicJwk.parse(key.publicJwk))),
    deriveSecret: secretDeriver(privateJwk.d),
  };
}

async function generateStoredKey(): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const privateJwk = okpPrivateJwk.parse(await exportJWK(privateKey));
  const publicJwk = publicPart(privateJwk);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, algorithm: SIGNING_ALGORITHM, privateJwk: { ...privateJwk, kid }, publicJwk: { ...publicJwk, kid } };
}

function parsePrivateJwk(json: string): z.infer<typeof okpPrivateJwk> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('JWT_PRIVATE_KEY_JWK is not valid JSON');
  }
  const parsed = okpPrivateJwk.safeParse(value);
  if (!parsed.success) throw new Error('JWT_PRIVATE_KEY_JWK must be an Ed25519 private key (kty OKP, crv Ed25519, x, d)');
  return parsed.data;
}

async function pemToJwk(pem: string): Promise<z.infer<typeof okpPrivateJwk>> {
  // Environment files often carry PEM with literal "\n".
  const key = await importPKCS8(pem.replace(/\\n/g, '\n'), SIGNING_ALGORITHM, { extractable: true });
  const parsed = okpPrivateJwk.safeParse(await exportJWK(key));
  if (!parsed.success) throw new Error('JWT_PRIVATE_KEY_PEM must be an Ed25519 PKCS#8 private key');
  return parsed.data;
}

const publicPart = (jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string }): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });

async function toPrivateKey(jwk: z.infer<typeof okpPrivateJwk>): Promise<KeyLike> {
  const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, SIGNING_ALGORITHM);
  if (key instanceof Uint8Array) throw new Error('expected an asymmetric signing key');
  return key;
}

function toPublicSigningJwk(kid: string, jwk: JWK): PublicSigningJwk {
  const parsed = okpPublicJwk.parse(jwk);
  return { kid, kty: parsed.kty, crv: parsed.crv, x: parsed.x, alg: SIGNING_ALGORITHM, use: 'sig' };
}

const secretDeriver = (d: string) => (label: string): string =>
  createHmac('sha256', Buffer.from(d, 'base64url')).update(`shop.user.${label}`).digest('base64url');
