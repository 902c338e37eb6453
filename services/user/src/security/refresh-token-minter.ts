import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokenMinter } from '../domain/ports';

/**
 * Opaque 256-bit tokens. Only their SHA-256 is stored: with that much entropy a fast hash is enough, and a
 * leaked table does not hand out sessions.
 */
export const refreshTokenMinter: RefreshTokenMinter = {
  mint() {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: sha256(token) };
  },
  hash: sha256,
};

function sha256(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
