import type { CpuWatch } from './compare';
import { findPid, type Watched } from './memory';
import type { RunningSystem } from './system/launch';

export interface WatchLists {
  /** Memory: the Node processes of the system count in the total; PostgreSQL, helpers and the baseline apart. */
  memory: Watched[];
  /** CPU charged to each side's runs: its own processes, the shared PostgreSQL and the load generator. */
  cpu: CpuWatch;
}

export function watchProcesses(system: RunningSystem | undefined, baselinePid: number | undefined, postgresDataDir: string): WatchLists {
  const nodePids = (system?.processes ?? []).flatMap((child) => (child.process.pid ? [{ name: child.name, pid: child.process.pid }] : []));
  const nodes: Watched[] = nodePids.map(({ name, pid }) => ({ name, pids: () => [pid] }));
  // Anything the Node processes start themselves (none today): counted, but not as Node processes.
  const helpers: Watched = { name: 'child processes of the Node processes', pids: (descendantsOf) => nodePids.flatMap(({ pid }) => descendantsOf(pid)), inTotal: false };
  const postmaster = findPid(['postgres', postgresDataDir]);
  const postgres: Watched[] = postmaster
    ? [{ name: 'postgresql (all backends)', pids: (descendantsOf) => [postmaster, ...descendantsOf(postmaster)], inTotal: false }]
    : [];
  const baseline: Watched[] = baselinePid ? [{ name: 'baseline', pids: () => [baselinePid], inTotal: false }] : [];
  const loadGenerator: Watched = { name: 'bench (load generator)', pids: () => [process.pid] };
  return {
    memory: [...nodes, helpers, ...postgres, ...baseline],
    cpu: { edge: [...nodes, ...postgres, loadGenerator], baseline: [...baseline, ...postgres, loadGenerator] },
  };
}
