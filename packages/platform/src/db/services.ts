import fs from 'node:fs';
import path from 'node:path';

export const SERVICE_NAMES = ['user', 'product', 'order', 'payment'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * The repository root, found through the platform package (node_modules/@shop/platform links to
 * packages/platform) rather than from __dirname: callers work from any cwd (launcher, jest, bench) and from
 * esbuild bundles, whose __dirname is the bundle's folder. Tooling only: service processes do not import it.
 */
export const REPO_ROOT = path.resolve(path.dirname(require.resolve('@shop/platform/package.json')), '../..');

export function serviceDir(service: ServiceName, repoRoot: string = REPO_ROOT): string {
  return path.join(repoRoot, 'services', service);
}

/**
 * A service takes part in migrations once it has at least one migration folder; services still
 * without a schema are skipped rather than failing the whole run.
 */
export function hasMigrations(dir: string): boolean {
  const migrations = path.join(dir, 'prisma', 'migrations');
  if (!fs.existsSync(migrations)) return false;
  return fs
    .readdirSync(migrations, { withFileTypes: true })
    .some((entry) => entry.isDirectory() && fs.existsSync(path.join(migrations, entry.name, 'migration.sql')));
}

export function servicesWithMigrations(repoRoot: string = REPO_ROOT): ServiceName[] {
  return SERVICE_NAMES.filter((service) => hasMigrations(serviceDir(service, repoRoot)));
}
