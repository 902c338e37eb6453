export type Role = 'CUSTOMER' | 'ADMIN';

/** An account as the rest of the service sees it: the password hash never travels with it. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
  updatedAt: Date;
}

/** Position in the ListUsers order (create time, then id), carried by page tokens. */
export interface UserCursor {
  createdAt: Date;
  id: string;
}
