// Test support for the report's tests: bench results holding the scenarios a test looks at, neutral values elsewhere.
import type { BenchResults } from './model';

export function benchResults(scenarios: BenchResults['scenarios']): Omit<BenchResults, 'targets'> {
  return {
    startedAt: '',
    finishedAt: '',
    command: 'npm run bench --',
    machine: { cpus: 2, cpuModel: 'x', node: 'v20', platform: 'linux', memoryGb: 1 },
    loadAverage: { atStart: 1, atEnd: 1 },
    options: {},
    system: { started: true },
    baseline: [],
    scenarios,
    cache: '',
  };
}
