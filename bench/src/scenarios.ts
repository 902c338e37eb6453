import { compare, type CpuWatch, type Load } from './compare';
import { describeCounts, type CacheStatusClass } from './load/cache-status';
import { preflight } from './load/preflight';
import { prime } from './load/prime';
import type { Target } from './load/measurement';
import type { BenchOptions } from './options';
import type { LoadScenario, ScenarioResult } from './report/model';
import { BATCHED_BASELINE_PREFIX, baselineIdentities, checkout, edgeIdentities, everyProduct, productById, searchPage, UNCACHED } from './requests';
import type { Catalog } from './system/seed';
import { signInUsers } from './system/users';

export interface Endpoints {
  edgeUrl?: string;
  baselineUrl: string;
}

const TITLES: Record<LoadScenario, string> = {
  read: '1 GET /v1/products/{id} no-cache',
  'read-batched': '1b as 1, baseline gathering reads too',
  'read-cached': '1c GET /v1/products/{id} edge cache',
  search: '2 GET /v1/products?q=word',
  checkout: '3 POST /v1/orders (checkout)',
  openloop: '4 GET /v1/products/{id} rate, no-cache',
  'openloop-cached': '4c GET /v1/products/{id} rate, cache',
};

/**
 * The edge answers the preflight of an uncached scenario must carry, when it sends `Cache-Status` at all: fetched
 * because the request said no-cache, or the cache is off. A hit there would mean the figure is not the uncached path.
 */
const UNCACHED_ANSWERS: readonly CacheStatusClass[] = ['fwd=request', 'fwd=bypass'];
const CACHED_ANSWERS: readonly CacheStatusClass[] = ['hit', 'fwd=uri-miss', 'fwd=bypass'];

// The shortest unmeasured start of a closed-loop run; compare() lengthens it to the warm-up's p90 latency.
const RAMP_SECONDS = 2;

function targets(endpoints: Endpoints, edgeNext: Target['next'] | undefined, baselineNext: Target['next'], edgeAnswers?: readonly CacheStatusClass[]): Target[] {
  const list: Target[] = [];
  // Counted on both sides when counted at all, so the load generator does the same work for each.
  const count = edgeAnswers !== undefined;
  if (endpoints.edgeUrl && edgeNext) list.push({ name: 'edge', url: endpoints.edgeUrl, next: edgeNext, ...(count ? { cacheStatus: { expect: edgeAnswers } } : {}) });
  list.push({ name: 'baseline', url: endpoints.baselineUrl, next: baselineNext, ...(count ? { cacheStatus: {} } : {}) });
  return list;
}

/** Scenarios 1-4, in order, each with its warm-up and interleaved rounds. */
export async function runLoadScenarios(
  options: BenchOptions,
  endpoints: Endpoints,
  catalog: Catalog,
  runId: string,
  log: (message: string) => void,
  cpu: CpuWatch = {},
): Promise<Partial<Record<LoadScenario, ScenarioResult>>> {
  const results: Partial<Record<LoadScenario, ScenarioResult>> = {};
  const closed = (connections: number): Load => ({
    kind: 'closed',
    level: connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rampSeconds: RAMP_SECONDS,
    rounds: options.rounds,
  });
  const run = async (name: LoadScenario, load: Load, list: Target[], fillCache = false): Promise<void> => {
    log(`${TITLES[name]}: ${list.map((t) => t.name).join(' vs ')}`);
    for (const target of list) {
      const check = await preflight(target);
      log(`  preflight ${check.ok ? 'ok' : 'FAILED'}: ${check.line}`);
    }
    let cacheFill: ScenarioResult['cacheFill'];
    if (fillCache && endpoints.edgeUrl) {
      // Every id once, so that the measured window is the steady state and not the cache filling up (see prime()).
      // Again before each cached scenario: entries expire (the edge's PRODUCT_CACHE_TTL_SECONDS, 300 s by default).
      const primed = await prime(endpoints.edgeUrl, everyProduct(catalog.productIds), options.connections);
      log(`  filled the edge's cache: ${primed.sent.toLocaleString('en-US')} products once each in ${primed.seconds.toFixed(1)} s (${describeCounts(primed.cacheStatus)})`);
      cacheFill = { requests: primed.sent, ok: primed.ok, seconds: primed.seconds, cacheStatus: primed.cacheStatus };
    }
    results[name] = { title: TITLES[name], ...(cacheFill ? { cacheFill } : {}), comparison: await compare(list, load, log, cpu) };
  };

  const uncachedById = productById(catalog.productIds, UNCACHED);
  const cachedById = productById(catalog.productIds);
  if (options.scenarios.has('read')) await run('read', closed(options.connections), targets(endpoints, uncachedById, uncachedById, UNCACHED_ANSWERS));
  // The edge gathers the reads of one event-loop turn into one call; here the baseline does the same, with the same
  // loader over the product service's batch statement: what the architecture costs at equal technique.
  if (options.scenarios.has('read-batched')) {
    const batchedBaseline = productById(catalog.productIds, UNCACHED, BATCHED_BASELINE_PREFIX);
    await run('read-batched', closed(options.connections), targets(endpoints, uncachedById, batchedBaseline, UNCACHED_ANSWERS));
  }
  // The same random ids against the same (uncached) baseline: the ratio is what the cache buys over the bare read.
  if (options.scenarios.has('read-cached')) await run('read-cached', closed(options.connections), targets(endpoints, cachedById, cachedById, CACHED_ANSWERS), true);
  if (options.scenarios.has('search')) {
    const search = searchPage(catalog.searchWords);
    await run('search', closed(options.connections), targets(endpoints, search, search));
  }
  if (options.scenarios.has('checkout')) {
    // Signed in right before, so that no access token expires during the rounds.
    const users = endpoints.edgeUrl ? await signInUsers(endpoints.edgeUrl, options.users, runId) : [];
    const edgeNext = users.length > 0 ? checkout(catalog.productIds, edgeIdentities(users.map((u) => u.accessToken))) : undefined;
    await run('checkout', closed(options.checkoutConnections), targets(endpoints, edgeNext, checkout(catalog.productIds, baselineIdentities(options.users))));
  }
  const open: Load = {
    kind: 'open',
    level: options.openLoopRate,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rampSeconds: 0,
    rounds: options.rounds,
  };
  if (options.scenarios.has('openloop')) await run('openloop', open, targets(endpoints, uncachedById, uncachedById, UNCACHED_ANSWERS));
  if (options.scenarios.has('openloop-cached')) await run('openloop-cached', open, targets(endpoints, cachedById, cachedById, CACHED_ANSWERS), true);
  return results;
}
