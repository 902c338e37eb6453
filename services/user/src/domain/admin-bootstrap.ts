import { DomainError } from '@shop/platform';
import { EMAIL_TAKEN, type AuthService } from './auth-service';
import { validateEmail } from './credentials';
import type { UserStore } from './ports';
import type { UserRecord } from './user';

/**
 * Makes sure the configured admin account exists and is an admin. Idempotent, and safe when replicas start
 * together: the unique email decides who creates it. An existing admin keeps its password. An existing
 * customer account under that address is never promoted: anyone could have registered it (emails are not
 * verified), so start-up fails and an operator decides.
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
  throw new Error(
    'ADMIN_EMAIL belongs to an existing customer account, which is not promoted automatically: promote it with SetUserRole as an admin, or configure another address',
  );
}
