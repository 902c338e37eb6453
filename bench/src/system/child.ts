import path from 'node:path';
import { REPO_ROOT } from '@shop/platform/src/db';
import { startNodeChild, type ManagedChild } from '../../../scripts/lib/child-process';
import { onCleanup, onHardExit } from '../cleanup';

const STOP_GRACE_MS = 10_000;

/**
 * `node <entry>` (a built bundle, with the V8 flags of deploy/node-options.env) in `cwd`, in its own process group,
 * as `npm start` runs each service. Unlike the
 * launcher's children, output is kept (last lines, for failures) instead of printed: logs must not flood the
 * figures, nor cost a terminal write per request. Registered for cleanup the moment it exists.
 */
export function startNodeProcess(name: string, cwd: string, entry: string, env: NodeJS.ProcessEnv): ManagedChild {
  const managed = startNodeChild(name, cwd, env, { entry, echo: false, nodeArgs: profilingFlags(name) });
  onCleanup(`process ${name}`, async () => {
    await managed.stop(STOP_GRACE_MS);
  });
  onHardExit(() => managed.kill());
  return managed;
}

/**
 * BENCH_PROFILE=edge,product writes a V8 CPU profile of each named process to bench/results/profiles/<name>/ when
 * it stops (open it in Chrome DevTools or speedscope): where a figure's CPU goes, without changing the code run.
 */
function profilingFlags(name: string): string[] {
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').map((part) => part.trim());
  if (!profiled.includes(name)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(REPO_ROOT, 'bench', 'results', 'profiles', name)}`];
}
