import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import type { PasswordHasher } from '../domain/ports';

/** OWASP's argon2id minimum; the PHC string records them, so raising them later keeps old hashes verifiable. */
export const ARGON2_PARAMETERS = {
  // Algorithm is an ambient const enum, which isolatedModules cannot inline: 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export async function createArgon2Hasher(): Promise<PasswordHasher> {
  // Same parameters as real hashes, so verifying against it costs what a real verification costs.
  const dummyHash = await hash(randomBytes(32).toString('base64url'), ARGON2_PARAMETERS);
  return {
    hash: (password) => hash(password, ARGON2_PARAMETERS),
    async verify(stored, password) {
      try {
        return await verify(stored, password);
      } catch {
        // A malformed stored hash must not turn into a 500 or let anyone in.
        return false;
      }
    },
    needsRehash(stored) {
      try {
        const used = parseOptions(stored);
        return (
          used.algorithm !== ARGON2_PARAMETERS.algorithm ||
          used.memoryCost !== ARGON2_PARAMETERS.memoryCost ||
          used.timeCost !== ARGON2_PARAMETERS.timeCost ||
          used.parallelism !== ARGON2_PARAMETERS.parallelism
        );
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      await verify(dummyHash, password).catch(() => false);
    },
  };
}
