/** How global setup hands the run's database server to jest workers (they inherit the environment). */
export const ADMIN_URL_ENV = 'SHOP_TEST_ADMIN_URL';
export const RUN_ID_ENV = 'SHOP_TEST_RUN_ID';
/** Set by the user to run the tests on an existing PostgreSQL: a superuser (or CREATEDB) URL. */
export const EXTERNAL_URL_ENV = 'TEST_DATABASE_URL';

export function templateName(service: string): string {
  return `${service}_template`;
}

/** Every database a run creates carries its run id, so that teardown can drop leftovers on a shared server. */
export function testDatabasePrefix(runId: string): string {
  return `t_${runId}_`;
}
