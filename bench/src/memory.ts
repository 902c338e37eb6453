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

export type ChildrenOf = Map<number, number[]>;

/** One pass over /proc: who is whose child. */
export function processTree(): ChildrenOf {
  const parents: ChildrenOf = new Map();
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
  return parents;
}

/** Every process whose parent chain leads to `root` (PostgreSQL backends under the postmaster, for instance). */
export function descendants(root: number, parents: ChildrenOf = processTree()): number[] {
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
  /** The processes making up this figure, looked up at every sample (helpers come and go). */
  pids: (descendantsOf: (pid: number) => number[]) => number[];
  /** Part of peakTotal (default true); PostgreSQL and helpers are reported on their own, not in the Node total. */
  inTotal?: boolean;
}

export interface MemoryReport {
  /** Highest RSS seen per watched entry (MB). */
  peakByProcess: Record<string, number>;
  /** Highest sum over the entries with inTotal at one sample (MB). */
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
    let tree: ChildrenOf | undefined;
    const descendantsOf = (pid: number): number[] => descendants(pid, (tree ??= processTree()));
    for (const entry of watched) {
      const mb = entry.pids(descendantsOf).reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
      peakByProcess[entry.name] = Math.max(peakByProcess[entry.name] ?? 0, mb);
      if (entry.inTotal !== false) total += mb;
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

/** The pid of the process whose command line contains every one of `parts` (e.g. PostgreSQL's postmaster by data dir). */
export function findPid(parts: readonly string[]): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((part) => cmdline.includes(part))) return Number(entry);
    } catch {
      // Exited while we looked.
    }
  }
  return undefined;
}
