/** The same server and credentials, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** For printing: never show a password in logs or the launcher's table. */
export function redactUrl(connectionUrl: string): string {
  const url = new URL(connectionUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

export function databaseName(connectionUrl: string): string {
  return decodeURIComponent(new URL(connectionUrl).pathname.replace(/^\//, ''));
}
