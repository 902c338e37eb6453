// What a running service needs from the database module. The package's main entry exports only this: the
// tooling beside it (migrations, embedded PostgreSQL, bootstrap, repo paths) is for scripts, tests and the bench,
// imported from '@shop/platform/src/db', and stays out of the service bundles.
export { createDatabasePool, DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, type DatabasePoolOptions } from './pool';
export { databaseFailure } from './database-errors';
export { openServiceDatabase, type ServiceDatabase } from './service-database';
export { databaseName, databaseUrl, redactUrl } from './database-url';
