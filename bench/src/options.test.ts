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
