import fs from 'node:fs';
import type { Watched } from './memory';
import { processTree, descendants } from './memory';

// Linux reports utime/stime in clock ticks; 100 per second on every mainstream kernel configuration.
const TICKS_PER_SECOND = 100;

function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function snapshot(watched: readonly Watched[]): Map<string, Map<number, number>> {
  const tree = processTree();
  const byEntry = new Map<string, Map<number, number>>();
  for (const entry of watched) {
    const pids = entry.pids((pid) => descendants(pid, tree));
    byEntry.set(entry.name, new Map(pids.map((pid) => [pid, cpuMs(pid)])));
  }
  return byEntry;
}

/**
 * CPU time each watched process spends between start and stop (ms). Processes that appear in between (a new
 * PostgreSQL backend) count from zero; that is their whole life, so nothing is lost.
 */
export function startCpuMeter(watched: readonly Watched[]): { stop(): Record<string, number> } {
  const before = snapshot(watched);
  return {
    stop() {
      const after = snapshot(watched);
      const used: Record<string, number> = {};
      for (const [name, pids] of after) {
        let total = 0;
        for (const [pid, ms] of pids) total += Math.max(0, ms - (before.get(name)?.get(pid) ?? 0));
        used[name] = total;
      }
      return used;
    },
  };
}
