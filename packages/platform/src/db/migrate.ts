import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * The repo's offline Prisma wrapper (it sets the engine variables Prisma 6.19 needs to stay offline). Resolved at
 * call time through the package, not from __dirname, which is wrong inside an esbuild bundle.
 */
const prismaWrapper = (): string => path.join(path.dirname(require.resolve('@shop/platform/package.json')), 'bin', 'shop-prisma.js');
const MIGRATE_TIMEOUT_MS = 120_000;
// Prisma 6.19's CLI lingers about 10 s on an internal timer after `migrate deploy` has finished and printed
// its summary. The summary is printed after the migrations are committed, so we end the process then.
const DONE_MARKERS = ['All migrations have been successfully applied.', 'No pending migrations to apply.'];
const LINGER_MS = 300;

export interface MigrationResult {
  /** Names of the migrations this run applied; empty when the database was already up to date. */
  applied: string[];
  output: string;
}

/** Prisma lists applied migrations as a tree under "The following migration(s) have been applied:". */
function appliedMigrations(output: string): string[] {
  const start = output.indexOf('have been applied');
  if (start < 0) return [];
  return [...output.slice(start).matchAll(/^\s*└─\s*(\S+)\//gm)].map((match) => match[1] ?? '').filter(Boolean);
}

/**
 * Applies the service's pending Prisma migrations (`prisma migrate deploy`, cwd = serviceDir so that its
 * prisma.config.ts is used). Idempotent: a second run applies nothing. Throws with Prisma's output on failure.
 */
export function migrateDatabase(serviceDir: string, databaseUrl: string): Promise<MigrationResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaWrapper(), 'migrate', 'deploy'], {
      cwd: serviceDir,
      env: { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: the wrapper runs Prisma as a grandchild, and both must end together.
      detached: true,
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const onParentExit = (): void => killGroup('SIGKILL');
    process.once('exit', onParentExit);
    let output = '';
    let done = false;
    let lingerTimer: NodeJS.Timeout | undefined;
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (!done && DONE_MARKERS.some((marker) => output.includes(marker))) {
        done = true;
        lingerTimer = setTimeout(() => killGroup('SIGTERM'), LINGER_MS);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => killGroup('SIGKILL'), MIGRATE_TIMEOUT_MS);
    child.once('error', (error) => {
      process.removeListener('exit', onParentExit);
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      process.removeListener('exit', onParentExit);
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      if (code === 0 || (done && signal === 'SIGTERM')) {
        resolve({ applied: appliedMigrations(output), output });
        return;
      }
      const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
      reject(new Error(`prisma migrate deploy in ${serviceDir} ${why}:\n${output.trim()}`));
    });
  });
}
