import { parseOptions, SCENARIOS, type BenchOptions } from './options';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions => {
  const options = parseOptions(argv, env);
  if (options === 'help') throw new Error('unexpected help');
  return options;
};

describe('parseOptions --scenarios', () => {
  it('runs the cached twins of the product reads by default', () => {
    const chosen = parse([]).scenarios;
    expect([...chosen]).toEqual([...SCENARIOS]);
    expect(chosen.has('read-cached')).toBe(true);
    expect(chosen.has('openloop-cached')).toBe(true);
  });

  it('accepts the cached scenarios by name, from a flag or the environment', () => {
    expect([...parse(['--scenarios=read,read-cached,openloop,openloop-cached']).scenarios]).toEqual(['read', 'read-cached', 'openloop', 'openloop-cached']);
    expect([...parse([], { BENCH_SCENARIOS: 'openloop-cached' }).scenarios]).toEqual(['openloop-cached']);
  });

  it('rejects an unknown scenario', () => {
    expect(() => parse(['--scenarios=read,cached'])).toThrow('unknown scenario "cached"');
  });
});

describe('parseOptions flags', () => {
  it('reads every flag the usage names', () => {
    const options = parse(['--rounds=5', '--duration=4', '--warmup=0', '--connections=8', '--checkout-connections=4', '--rate=700', '--products=100', '--users=2']);
    expect(options).toMatchObject({ rounds: 5, durationSeconds: 4, warmupSeconds: 0, connections: 8, checkoutConnections: 4, openLoopRate: 700, products: 100, users: 2 });
  });

  it('rejects a flag it does not know instead of running the defaults', () => {
    expect(() => parse(['--open-loop-rate=700'])).toThrow('unknown flag --open-loop-rate');
    expect(() => parse(['--rounds=2', '--round=3'])).toThrow('unknown flag --round');
  });
});
