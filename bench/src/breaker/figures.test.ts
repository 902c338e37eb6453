import { breakerEstimates, cpuOverheadPercent, cpuPerCall, isolatedBreakerPercent, isolatedBreakerUs, judgeAtMost } from './figures';
import type { ClientTotals, RoundFigures } from './measure';

const totals = (calls: number, cpuUs: number): ClientTotals => ({ calls, cpuUs, ms: 100 });

/** A round whose gRPC calls cost `grpcUs` per call directly, and whose isolated breaker costs `breakerUs` over its action. */
function round(grpcUs: number, breakerUs: number, inSituPercent = 0, wholePercent = 0): RoundFigures {
  return {
    plain: totals(1_000, 1_000 * grpcUs),
    platform: totals(1_000, 1_000 * grpcUs * (1 + wholePercent / 100)),
    direct: totals(500, 500 * grpcUs),
    breaker: totals(500, 500 * grpcUs * (1 + inSituPercent / 100)),
    isolated: { direct: totals(10_000, 2_000), breaker: totals(10_000, 2_000 + 10_000 * breakerUs) },
  };
}

describe('breaker figures', () => {
  it('pools CPU per call, and has none without calls', () => {
    expect(cpuPerCall(totals(4, 1_000))).toBe(250);
    expect(cpuPerCall(totals(0, 1_000))).toBeNaN();
    expect(cpuOverheadPercent(totals(10, 2_000), totals(10, 2_100))).toBeCloseTo(5);
  });

  it("takes the isolated breaker's µs per call over the action's, as a share of the direct gRPC call's CPU", () => {
    const figures = round(250, 3);
    expect(isolatedBreakerUs(figures)).toBeCloseTo(3);
    expect(isolatedBreakerPercent(figures)).toBeCloseTo(1.2);
  });

  it('estimates each comparison over rounds with the interval of its median', () => {
    const rounds = Array.from({ length: 12 }, (_, index) => round(200 + 10 * index, 2 + 0.1 * index, index - 2, 2 * index));
    const { isolated, inSitu, wholeClient } = breakerEstimates(rounds);
    // Shares 1.0, 0.995.. : (2 + 0.1 i) / (200 + 10 i) = 1% for every i.
    expect(isolated.rounds.median).toBeCloseTo(1);
    expect(isolated.medianInterval.low).toBeCloseTo(1);
    expect(isolated.medianInterval.high).toBeCloseTo(1);
    expect(inSitu.rounds).toEqual({ median: expect.closeTo(3.5) as number, min: expect.closeTo(-2) as number, max: expect.closeTo(9) as number });
    expect(inSitu.medianInterval.low).toBeCloseTo(0); // the 3rd of 12: -2, -1, 0
    expect(inSitu.medianInterval.high).toBeCloseTo(7); // the 10th of 12
    expect(wholeClient.rounds.median).toBeCloseTo(11);
  });

  it('judges "at most" by the whole interval: pass under, miss over, undecided across or without figures', () => {
    expect(judgeAtMost({ low: 1.1, high: 3 }, 3)).toBe(true);
    expect(judgeAtMost({ low: 3.01, high: 9 }, 3)).toBe(false);
    expect(judgeAtMost({ low: 2, high: 4 }, 3)).toBeUndefined();
    expect(judgeAtMost({ low: Number.NaN, high: Number.NaN }, 3)).toBeUndefined();
    expect(judgeAtMost(undefined, 3)).toBeUndefined();
  });
});
