/** What `npm run bench` can be told, by flag (`--rounds=5`) or environment (`BENCH_ROUNDS=5`); flags win. */
export interface BenchOptions {
  rounds: number;
  /** Seconds of each measured run (one target, one round). */
  durationSeconds: number;
  /** Seconds of load on each target before a scenario's first round. */
  warmupSeconds: number;
  connections: number;
  checkoutConnections: number;
  /** Requests per second of the open-loop scenario. */
  openLoopRate: number;
  products: number;
  users: number;
  scenarios: ReadonlySet<ScenarioName>;
}

/**
 * `read` and `openloop` send `Cache-Control: no-cache` (the uncached path); the `-cached` twins let the edge's cache answer.
 * `read-batched` is `read` against a baseline that gathers its reads as the edge does.
 */
export const SCENARIOS = ['read', 'read-batched', 'read-cached', 'search', 'checkout', 'openloop', 'openloop-cached', 'memory', 'breaker'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const DEFAULTS = {
  rounds: 3,
  duration: 8,
  warmup: 3,
  connections: 32,
  'checkout-connections': 32,
  rate: 1000,
  products: 10_000,
  users: 8,
};

const FLAG_NAMES: ReadonlySet<string> = new Set([...Object.keys(DEFAULTS), 'scenarios']);

function flagValues(argv: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    // A misspelt flag must not quietly run the defaults (e.g. --open-loop-rate=700 measuring 1,000 req/s).
    if (match?.[1] !== undefined && match[2] !== undefined && !FLAG_NAMES.has(match[1])) throw new Error(`unknown flag --${match[1]} (try --help)`);
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
    else if (arg === '--help' || arg === '-h') values.set('help', 'true');
    else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return values;
}

export const USAGE = `npm run bench -- [--rounds=N] [--duration=S] [--warmup=S] [--connections=N] [--checkout-connections=N]
                  [--rate=N] [--products=N] [--users=N] [--scenarios=${SCENARIOS.join(',')}]
Each flag also reads from the environment as BENCH_<NAME> (e.g. BENCH_ROUNDS=5, BENCH_SCENARIOS=read,search).`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const flags = flagValues(argv);
  if (flags.has('help')) return 'help';
  const raw = (name: string): string | undefined => flags.get(name) ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const int = (name: keyof typeof DEFAULTS, min: number): number => {
    const value = raw(name);
    if (value === undefined || value === '') return DEFAULTS[name];
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
    return parsed;
  };
  const scenarioList = raw('scenarios');
  const scenarios = new Set<ScenarioName>();
  for (const name of scenarioList ? scenarioList.split(',').map((part) => part.trim()).filter(Boolean) : SCENARIOS) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.join(', ')}`);
    scenarios.add(name as ScenarioName);
  }
  return {
    rounds: int('rounds', 1),
    durationSeconds: int('duration', 1),
    warmupSeconds: int('warmup', 0),
    connections: int('connections', 1),
    checkoutConnections: int('checkout-connections', 1),
    openLoopRate: int('rate', 1),
    products: int('products', 1),
    users: int('users', 1),
    scenarios,
  };
}
