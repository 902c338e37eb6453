import { invalidArgument } from '@shop/platform';

export const PASSWORD_MIN_BYTES = 8;
/** Far above any passphrase, low enough that hashing cannot be abused with megabyte inputs. */
export const PASSWORD_MAX_BYTES = 1024;
export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 100;

// Deliberately loose: the mailbox proves itself by receiving mail, the pattern only catches obvious typos.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The one spelling of an email that is stored, compared and throttled on. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function validateEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (email.length === 0) throw invalidArgument('Email is required', [{ field: 'email', description: 'must not be empty' }]);
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw invalidArgument('Email is not valid', [{ field: 'email', description: 'must be an email address' }]);
  }
  return email;
}

/**
 * Checked before any hashing, so that oversized input is refused cheaply. Lengths are in UTF-8 bytes because
 * that is what the hash consumes.
 */
export function validatePasswordLength(password: string): void {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > PASSWORD_MAX_BYTES) {
    throw invalidArgument('Password is too long', [{ field: 'password', description: `must be at most ${PASSWORD_MAX_BYTES} bytes` }]);
  }
  if (bytes < PASSWORD_MIN_BYTES) {
    throw invalidArgument('Password is too short', [{ field: 'password', description: `must be at least ${PASSWORD_MIN_BYTES} bytes` }]);
  }
}

/** For sign-in only the upper bound is enforced: a short guess is simply a wrong password. */
export function validatePasswordForSignIn(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw invalidArgument('Password is too long', [{ field: 'password', description: `must be at most ${PASSWORD_MAX_BYTES} bytes` }]);
  }
}

export function validateName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw invalidArgument('Name is required', [{ field: 'name', description: 'must not be empty' }]);
  if ([...name].length > NAME_MAX_LENGTH) {
    throw invalidArgument('Name is too long', [{ field: 'name', description: `must be at most ${NAME_MAX_LENGTH} characters` }]);
  }
  return name;
}
