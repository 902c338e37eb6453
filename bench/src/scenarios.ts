import { compare, type CpuWatch, type Load } from './compare';
import { preflight } from './load/preflight';
import type { Target } from './load/measurement';
import type { BenchOptions } from './options';
import type { LoadScenario, ScenarioResult } from './report/model';
import { baselineIdentities, checkout, edgeIdentities, productById, searchPage } from './requests';
import type { Catalog } from './system/seed';
import { signInUsers } from './system/users';

export interface Endpoints {
  edgeUrl?: string;
  baselineUrl: string;
}

const TITLES: Record<LoadScenario, string> = {
  read: '1 GET /v1/products/{id}',
  search: '2 GET /v1/products?q=word',
  checkout: '3 POST /v1/orders (checkout)',
  openloop: '4 GET /v1/products/{id} fixed rate',
};

// The shortest unmeasured start of a closed-loop run; compare() lengthens it to the warm-up's p90 latency.
const RAMP_SECONDS = 2;

function targets(endpoints: Endpoints, edgeNext: Target['next'] | undefined, baselineNext: Target['next']): Target[] {
  const list: Target[] = [];
  if (endpoints.edgeUrl && edgeNext) list.push({ name: 'edge', url: endpoints.edgeUrl, next: edgeNext });
  list.push({ name: 'baseline', url: endpoints.baselineUrl, next: baselineNext });
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
  const run = async (name: LoadScenario, load: Load, list: Target[]): Promise<void> => {
    log(`${TITLES[name]}: ${list.map((t) => t.name).join(' vs ')}`);
    for (const target of list) {
      const check = await preflight(target);
      log(`  preflight ${check.ok ? 'ok' : 'FAILED'}: ${check.line}`);
    }
    results[name] = { title: TITLES[name], comparison: await compare(list, load, log, cpu) };
  };

  const byId = productById(catalog.productIds);
  if (options.scenarios.has('read')) await run('read', closed(options.connections), targets(endpoints, byId, byId));
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
  if (options.scenarios.has('openloop')) {
    const load: Load = {
      kind: 'open',
      level: options.openLoopRate,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      rampSeconds: 0,
      rounds: options.rounds,
    };
    await run('openloop', load, targets(endpoints, byId, byId));
  }
  return results;
}
