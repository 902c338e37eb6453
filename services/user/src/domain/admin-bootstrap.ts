import { DomainError } from '@shop/platform';
import { EMAIL_TAKEN, type AuthService } from './auth-service';
import { validateEmail } from './credentials';
import type { UserStore } from './ports';
import type { UserRecord } from './user';

/**
 * Makes sure the configured admin account exists and is an admin. Idempotent, and safe when replicas start
 * together: the unique email decides who creates it. An existing account keeps its password.
 */
export async function ensureAdminAccount(
  deps: { auth: AuthService; users: UserStore },
  admin: { email: string; password: string; name: string },
): Promise<{ user: UserRecord; created: boolean }> {
  const email = validateEmail(admin.email);
  let existing = (await deps.users.findCredentials(email))?.user;
  if (existing === undefined) {
    try {
      return { user: await deps.auth.register({ email, password: admin.password, name: admin.name }, 'ADMIN'), created: true };
    } catch (error) {
      // Another replica created it between the lookup and the insert: promote what it made.
      if (!(error instanceof DomainError && error.reason === EMAIL_TAKEN)) throw error;
      existing = (await deps.users.findCredentials(email))?.user;
      if (existing === undefined) throw error;
    }
  }
  if (existing.role === 'ADMIN') return { user: existing, created: false };
  const promoted = await deps.users.setRole(existing.id, 'ADMIN');
  if (promoted === null) throw new Error('the admin account was deleted during start-up');
  return { user: promoted, created: false };
}
