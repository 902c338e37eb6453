import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DIST_ENTRY } from './build';
import { runtimeNodeArgs } from './node-runtime';

const TAIL_LINES = 60;

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
  tail(): string;
  /** SIGTERM to its process group; SIGKILL after graceMs. Resolves true when it had to be killed. */
  stop(graceMs: number): Promise<boolean>;
  kill(): void;
}

/** Writes whole lines only, so that JSON log lines of concurrent children never interleave mid-line. */
function lineWriter(target: NodeJS.WriteStream | undefined, remember: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      remember(line);
      target?.write(`${line}\n`);
    }
  };
}

export interface NodeChildOptions {
  /**
   * Script to run, relative to the folder. Default: dist/main.js, the process's bundle (scripts/lib/build.ts), which
   * the caller builds first. A .ts entry (a dev tool) runs through tsx instead.
   */
  entry?: string;
  /** Pass the child's output through (the launcher) or only keep its last lines (the benchmark). Default: true. */
  echo?: boolean;
  /** Extra flags for node itself, before the entry (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}

/**
 * Runs `node --env-file=deploy/node-options.env dist/main.js` in the given folder (the images' command, with the
 * same V8 flags), in its own process group: a Ctrl-C in the terminal then reaches only the launcher, which stops
 * the children in order (edge, services, database).
 */
export function startNodeChild(name: string, dir: string, env: NodeJS.ProcessEnv, options: NodeChildOptions = {}): ManagedChild {
  const script = options.entry ?? DIST_ENTRY;
  const entry = path.join(dir, script);
  if (!fs.existsSync(entry)) throw new Error(`${name}: ${path.relative(process.cwd(), entry)} does not exist`);
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = [...runtimeNodeArgs(), ...(options.nodeArgs ?? []), ...loader, script];
  const child = spawn(process.execPath, args, { cwd: dir, env: withoutEmptyNodeOptions(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const remember = (line: string): void => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  const echo = options.echo ?? true;
  child.stdout?.on('data', lineWriter(echo ? process.stdout : undefined, remember));
  child.stderr?.on('data', lineWriter(echo ? process.stderr : undefined, remember));
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    });
    child.once('error', (error) => {
      done = true;
      remember(String(error));
      resolve(`spawn error ${error.message}`);
    });
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (done || !child.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    name,
    process: child,
    exited,
    hasExited: () => done,
    tail: () => lines.join('\n'),
    kill: () => signalGroup('SIGKILL'),
    async stop(graceMs) {
      let killed = false;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => {
        killed = !done;
        signalGroup('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      return killed;
    },
  };
}

/** Node counts an empty NODE_OPTIONS as set, which would silently drop the flags file's; only a real value overrides. */
function withoutEmptyNodeOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_OPTIONS !== '') return env;
  const { NODE_OPTIONS: _empty, ...rest } = env;
  return rest;
}
