// The one-shot migration step, outside Docker: the command of the compose `<svc>-migrate` containers and the k8s
// Jobs (the same, checked by deployment-config.test.ts) in the image's WORKDIR, on a fresh empty database of the
// jest run's PostgreSQL, and the `migrate status` poll of the k8s init containers that hold the pods until then.
import path from 'node:path';
import { Client } from 'pg';
import { databaseUrl } from '@shop/platform/src/db';
import { ADMIN_URL_ENV, EXTERNAL_URL_ENV } from '@shop/platform/testing';
import { envExample, loadCompose, service } from './support/compose';
import { migrationNames, MIGRATE_COMMAND, workdirOf } from './support/deployment';
import { findResource, kustomizeBuild, podContainers } from './support/kustomize';
import { SERVICES, type ShopProcess } from './support/processes';
import { containerLikeEnv, run } from './support/run';
import { asArray, asString, repoPath } from './support/repo';

const compose = loadCompose(envExample());

describe('the migration step', () => {
  const adminUrl = process.env[ADMIN_URL_ENV] ?? process.env[EXTERNAL_URL_ENV] ?? '';
  const created: string[] = [];
  const dev = kustomizeBuild('deploy/k8s/overlays/dev');
  const withMigrations = SERVICES.filter((svc) => migrationNames(svc.dir).length > 0);

  async function admin<T>(work: (client: Client) => Promise<T>, url = adminUrl): Promise<T> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** The `migrate status` command the k8s init container polls (`until <command>; do ...; done`). */
  function statusCommand(svc: ShopProcess): string {
    const deployment = findResource(dev, 'Deployment', svc.name);
    const [wait] = deployment ? podContainers(deployment, 'initContainers') : [];
    const script = asArray(wait?.command, 'command').map((word) => asString(word, 'command')).at(-1) ?? '';
    const match = /^until (.+?); do /.exec(script);
    if (!match?.[1]) throw new Error(`${svc.name}: no "until <command>; do" loop in the init container: ${script}`);
    return match[1];
  }

  afterAll(async () => {
    await admin(async (client) => {
      for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    });
  }, 60_000);

  // Concurrent: the Prisma CLI idles about 10 s after each command, so the services' runs overlap well.
  it.concurrent.each(withMigrations.map((svc) => [svc.name, svc] as const))(
    'migrates an empty %s database with the compose / Job command; the init container then sees it up to date',
    async (name, svc) => {
      // The run's prefix (see @shop/platform testing) lets global teardown drop it should this suite crash.
      const database = `t_${process.env.SHOP_TEST_RUN_ID ?? 'adhoc'}_deploy_${name}_${process.pid}`;
      await admin((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`));
      created.push(database);
      const url = databaseUrl(adminUrl, database);
      const migrate = service(compose, `${name}-migrate`);
      const cwd = workdirOf(migrate);
      expect(path.relative(repoPath(), cwd)).toBe(svc.dir);
      const env = containerLikeEnv({ DATABASE_URL: url, HOME: '/tmp' });
      const status = ['sh', '-c', statusCommand(svc)];

      const before = await run(status, cwd, env);
      expect(before.code).not.toBe(0);

      expect(migrate.command).toEqual(MIGRATE_COMMAND);
      const applied = await run(migrate.command ?? [], cwd, env);
      expect({ code: applied.code, output: applied.output }).toEqual({ code: 0, output: expect.stringContaining('All migrations have been successfully applied') });
      const rows = await admin((client) => client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name'), url);
      expect(rows.rows.map((row) => row.migration_name)).toEqual(migrationNames(svc.dir));

      // `docker compose up` runs the step again on every start: a second run must change nothing and succeed.
      const again = await run(migrate.command ?? [], cwd, env);
      expect({ code: again.code, output: again.output }).toEqual({ code: 0, output: expect.stringContaining('No pending migrations') });

      const after = await run(status, cwd, env);
      expect({ code: after.code, output: after.output }).toEqual({ code: 0, output: expect.stringContaining('up to date') });
    },
    // Four Prisma CLI runs of ~16 s each (10 s of them idle), slower on a loaded machine.
    300_000,
  );
});
