// Test support for the report's tests: a BreakerResult with the figures a test looks at and neutral values elsewhere.
import type { Estimate } from '../breaker/figures';
import type { BreakerResult } from '../breaker/run';
import { spread } from '../stats';

export interface BreakerFigures {
  isolated: Estimate;
  inSitu: Estimate;
  wholeClient: Estimate;
  /** Client CPU per call (µs) of each gRPC arm; unset arms have no rounds. */
  cpuUsPerCall?: Partial<Record<'plain' | 'platform' | 'direct' | 'breaker', number>>;
}

export function breakerResult({ isolated, inSitu, wholeClient, cpuUsPerCall = {} }: BreakerFigures): BreakerResult {
  const perCall = (value: number | undefined) => spread(value === undefined ? [] : [value]);
  return {
    concurrency: 32,
    durationSeconds: 4,
    rounds: 12,
    pairsPerRound: 10,
    sliceMs: 100,
    isolatedCalls: 5000,
    breakerIsolated: { ...isolated, breakerUsPerCall: spread([2.9]), actionUsPerCall: spread([0.3]) },
    breakerInSitu: inSitu,
    overheadPercent: wholeClient.rounds,
    overheadMedianInterval: wholeClient.medianInterval,
    throughputOverheadPercent: spread([]),
    plainPerSecond: spread([]),
    platformPerSecond: spread([]),
    plainCpuUsPerCall: perCall(cpuUsPerCall.plain),
    platformCpuUsPerCall: perCall(cpuUsPerCall.platform),
    directCpuUsPerCall: perCall(cpuUsPerCall.direct),
    breakerCpuUsPerCall: perCall(cpuUsPerCall.breaker),
    loadAverage: { atStart: 1, atEnd: 1 },
  };
}
