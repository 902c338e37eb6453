// `npm run bench`: the system and a bare baseline side by side in one run (see bench/README.md).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@shop/platform/src/db';
import { runBreakerBenchmark } from './breaker/run';
import { cleanUp, installSignalHandlers } from './cleanup';
import { BASELINE_DESCRIPTION, describeMachine } from './machine';
import { startMemorySampler } from './memory';
import { parseOptions, USAGE, type BenchOptions, type ScenarioName } from './options';
import type { BenchResults } from './report/model';
import { formatReport } from './report/table';
import { checkTargets } from './report/targets';
import { writeResults } from './report/write';
import { runLoadScenarios } from './scenarios';
import { startDatabases } from './system/database';
import { startBaseline, startSystemIfReady } from './system/launch';
import { seedCatalog } from './system/seed';
import { watchProcesses } from './watch';

const LOAD_SCENARIOS: readonly ScenarioName[] = ['read', 'read-batched', 'read-cached', 'search', 'checkout', 'openloop', 'openloop-cached'];
const say = (message: string): void => console.error(`[bench] ${message}`);
const CACHE_NOTE =
  'scenarios 1 and 4 send Cache-Control: no-cache, so the edge fetches every product from the product service (Cache-Status: edge; fwd=request): ' +
  'the uncached path, every request reaches PostgreSQL. 1c and 4c send the same random ids without it and let the edge\'s product cache answer ' +
  '(invalidated by the product service\'s change feed, on only while that feed is live); each first requests every product once to fill it, and ' +
  'its hit ratio is counted from the Cache-Status of every answer in the measured windows. The baseline has no cache in either.';

async function run(options: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const runId = randomBytes(4).toString('hex');
  const databases = await startDatabases(say);
  const catalog = await seedCatalog(databases.urls.product, options.products, say);
  const baseline = await startBaseline(databases, say);
  const { system, note } = await startSystemIfReady(databases, say);
  if (!system) say(`running the baseline only: the system is ${note}`);

  const loadAtStart = os.loadavg()[0] ?? Number.NaN;
  const watch = watchProcesses(system, baseline.process.process.pid, databases.postgres.dataDir);
  const sampler = startMemorySampler(watch.memory);
  const scenarios = await runLoadScenarios(options, { edgeUrl: system?.edgeUrl, baselineUrl: baseline.url }, catalog, runId, say, watch.cpu);
  const peaks = sampler.stop();
  const nodeProcesses = system?.processes.map((child) => child.name) ?? [];
  const measuredUnderLoad = options.scenarios.has('memory') && system && Object.keys(scenarios).length > 0;

  let breaker: BenchResults['breaker'];
  if (options.scenarios.has('breaker')) {
    say('breaker micro-benchmark: the platform\'s breaker vs a direct call, and createServiceClient vs plain grpc-js');
    breaker = await runBreakerBenchmark(options.rounds, Math.max(2, Math.round(options.durationSeconds / 2)), options.connections, say).catch((error: unknown) => {
      say(`breaker micro-benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
  }

  const partial: Omit<BenchResults, 'targets'> = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine(),
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg()[0] ?? Number.NaN },
    options: { ...options, scenarios: [...options.scenarios] },
    system: { started: system !== undefined, note },
    catalog: { products: catalog.productIds.length, seededBy: catalog.seededBy, searchWords: catalog.searchWords },
    baseline: BASELINE_DESCRIPTION,
    scenarios,
    memory: measuredUnderLoad ? { peakMb: peaks, nodeProcesses, nodeTotalMb: peaks.peakTotal } : undefined,
    breaker,
    cache: CACHE_NOTE,
  };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  console.log(`\n${formatReport(results)}\n`);
  const file = writeResults(results, path.join(REPO_ROOT, 'bench', 'results'));
  say(`results written to ${path.relative(process.cwd(), file)} and bench/results/latest.json`);
}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  installSignalHandlers();
  const chosen = options.scenarios;
  if (chosen.has('memory') && !LOAD_SCENARIOS.some((name) => chosen.has(name))) {
    // Memory is measured under load: with no load scenario chosen, scenario 1 provides it.
    options = { ...options, scenarios: new Set([...chosen, 'read' as const]) };
  }
  try {
    await run(options);
  } catch (error) {
    console.error('[bench] failed:', error);
    process.exitCode = 1;
  } finally {
    say('cleaning up (processes, PostgreSQL, temp data dir)...');
    await cleanUp();
  }
}

void main();
