import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '@shop/platform';
import type { AccessTokenIssuer } from './ports';

/** client id -> secret, from SERVICE_CREDENTIALS. */
export type ServiceCredentials = ReadonlyMap<string, string>;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const INVALID = 'Invalid client credentials';

/**
 * Client-credentials grant: an internal caller proves its identity with a configured secret and receives a
 * short-lived access token with role SERVICE and subject "service:<client id>".
 */
export class ServiceClientAuthenticator {
  constructor(
    private readonly credentials: ServiceCredentials,
    private readonly accessTokens: AccessTokenIssuer,
  ) {}

  async issueToken(clientId: string, clientSecret: string): Promise<{ token: string; expiresInSeconds: number }> {
    const expected = this.credentials.get(clientId);
    // Digests have one length, so the comparison takes the same time whatever was sent.
    const matches = timingSafeEqual(digest(expected ?? '\u0000unknown-client'), digest(clientSecret));
    if (expected === undefined || !matches) throw unauthenticated(INVALID);
    return this.accessTokens.issue({ userId: `service:${clientId}`, role: 'SERVICE' });
  }
}

/** Parses "order:secret1,bench:secret2" (secrets may not contain commas). */
export function parseServiceCredentials(raw: string): Map<string, string> {
  const credentials = new Map<string, string>();
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) throw new Error('SERVICE_CREDENTIALS entries must look like <client id>:<secret>');
    credentials.set(entry.slice(0, colon), entry.slice(colon + 1));
  }
  return credentials;
}
