import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ManagedChild } from '../../../scripts/lib/child-process';
import { onCleanup, onHardExit } from '../cleanup';

const TAIL_LINES = 80;
const STOP_GRACE_MS = 10_000;

/**
 * `node --import tsx <entry>` in `cwd`, in its own process group, as `npm start` runs each service. Unlike the
 * launcher's children, output is kept (last lines, for failures) instead of printed: logs must not flood the
 * figures, nor cost a terminal write per request. Registered for cleanup the moment it exists.
 */
export function startNodeProcess(name: string, cwd: string, entry: string, env: NodeJS.ProcessEnv): ManagedChild {
  if (!fs.existsSync(path.join(cwd, entry))) throw new Error(`${name}: ${path.join(cwd, entry)} does not exist`);
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    });
    child.once('error', (error) => {
      done = true;
      lines.push(String(error));
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
  const managed: ManagedChild = {
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
  onCleanup(`process ${name}`, async () => {
    await managed.stop(STOP_GRACE_MS);
  });
  onHardExit(() => managed.kill());
  return managed;
}
