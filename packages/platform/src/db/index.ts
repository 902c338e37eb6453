export * from './runtime';
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres';
export { migrateDatabase, type MigrationResult } from './migrate';
export { databaseExists, dropDatabase, ensureDatabase, pingDatabase, withClient, type CreateDatabaseOptions } from './database-admin';
export { findFreePort } from './free-port';
export { hasMigrations, REPO_ROOT, SERVICE_NAMES, serviceDir, servicesWithMigrations, type ServiceName } from './services';
export {
  bootstrapDatabases,
  DEFAULT_PG_PORT,
  defaultDataDir,
  type BootstrapOptions,
  type BootstrappedDatabases,
  type ServiceDatabase,
} from './bootstrap';
