import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AccessTokenIssuer } from '../domain/ports';
import { SIGNING_ALGORITHM, type SigningKeys } from './signing-keys';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Short-lived EdDSA JWTs with the claims every service's verifier relies on: sub, role, iss, aud, exp, iat, jti. */
export function createAccessTokenIssuer(keys: SigningKeys, settings: AccessTokenSettings): AccessTokenIssuer {
  return {
    async issue({ userId, role }) {
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: keys.signer.kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(keys.signer.privateKey);
      return { token, expiresInSeconds: settings.ttlSeconds };
    },
  };
}
