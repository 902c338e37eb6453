import fs from 'node:fs';

/** Resident set size in MB from /proc/<pid>/status (VmRSS), or undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Every process whose parent chain leads to `root` (PostgreSQL backends under the postmaster, for instance). */
export function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may contain spaces and parentheses: the ppid is the 2nd field after the last ')'.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const children = parents.get(ppid) ?? [];
      children.push(Number(entry));
      parents.set(ppid, children);
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  const queue = [...(parents.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return found;
}

export interface Watched {
  name: string;
  pid: number;
  /** Count the process's descendants into its figure (e.g. PostgreSQL's backends). */
  withDescendants?: boolean;
  /** Part of peakTotal (default true); PostgreSQL is reported on its own, not in the Node total. */
  inTotal?: boolean;
}

export interface MemoryReport {
  /** Highest RSS seen per process (MB). */
  peakByProcess: Record<string, number>;
  /** Highest sum over the watched processes with inTotal at one sample (MB). */
  peakTotal: number;
  samples: number;
}

/** Samples the watched processes every intervalMs until stop(); peaks are what a capacity plan needs. */
export function startMemorySampler(watched: readonly Watched[], intervalMs = 500): { stop(): MemoryReport } {
  const peakByProcess: Record<string, number> = {};
  let peakTotal = 0;
  let samples = 0;
  const sample = (): void => {
    let total = 0;
    for (const process of watched) {
      const pids = process.withDescendants ? [process.pid, ...descendants(process.pid)] : [process.pid];
      const mb = pids.reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
      peakByProcess[process.name] = Math.max(peakByProcess[process.name] ?? 0, mb);
      if (process.inTotal !== false) total += mb;
    }
    peakTotal = Math.max(peakTotal, total);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakByProcess, peakTotal, samples };
    },
  };
}
