export { createTestDatabase, createTestDatabaseFrom, type TestDatabase } from './test-database';
export { ADMIN_URL_ENV, EXTERNAL_URL_ENV } from './environment';
export { memoryLogger } from './memory-logger';
