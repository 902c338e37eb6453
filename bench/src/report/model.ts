import type { BreakerResult } from '../breaker/run';
import type { Comparison } from '../compare';
import type { CacheStatusCounts } from '../load/cache-status';
import type { MemoryReport } from '../memory';

export type LoadScenario = 'read' | 'read-batched' | 'read-cached' | 'search' | 'checkout' | 'openloop' | 'openloop-cached';

export interface ScenarioResult {
  title: string;
  /** Cached scenarios: the pass that requested every product once before the warm-up, to fill the edge's cache. */
  cacheFill?: { requests: number; ok: number; seconds: number; cacheStatus: CacheStatusCounts };
  comparison: Comparison;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  /** Undefined when the figure could not be measured in this run, or was too noisy to judge. */
  pass?: boolean;
  note?: string;
  /** Product reads: which path the figure is of. Cached: the share of measured answers the cache served (0..1). */
  path?: 'uncached' | 'cached';
  hitRatio?: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; memoryGb: number };
  /** 1-minute load average when the measurements started and ended: how busy the shared machine was. */
  loadAverage: { atStart: number; atEnd: number };
  options: Record<string, unknown>;
  /** Whether the edge side ran; when not, why (e.g. services not written yet). */
  system: { started: boolean; note?: string };
  catalog?: { products: number; seededBy: string; searchWords: string[] };
  baseline: string[];
  scenarios: Partial<Record<LoadScenario, ScenarioResult>>;
  memory?: { peakMb: MemoryReport; nodeProcesses: string[]; nodeTotalMb: number };
  breaker?: BreakerResult;
  cache: string;
  targets: TargetCheck[];
}
