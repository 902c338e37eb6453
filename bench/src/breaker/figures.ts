import { spread, type Spread } from '../stats';
import type { ClientTotals, RoundFigures } from './measure';
import { medianInterval } from './median-interval';

/** A figure over rounds: median [min-max] of the rounds, and where the median lies with ~95% confidence. */
export interface Estimate {
  rounds: Spread;
  medianInterval: { low: number; high: number };
}

export const estimate = (values: readonly number[]): Estimate => ({ rounds: spread(values), medianInterval: medianInterval(values) });

export const cpuPerCall = (totals: ClientTotals): number => (totals.calls > 0 ? totals.cpuUs / totals.calls : Number.NaN);
export const perSecond = (totals: ClientTotals): number => totals.calls / (totals.ms / 1000);

/** `measured`'s CPU per call over `base`'s, minus one, in percent. */
export const cpuOverheadPercent = (base: ClientTotals, measured: ClientTotals): number => (cpuPerCall(measured) / cpuPerCall(base) - 1) * 100;

/** The breaker's own CPU per call in a round, in µs: through the breaker minus the action alone, both isolated. */
export const isolatedBreakerUs = (round: RoundFigures): number => cpuPerCall(round.isolated.breaker) - cpuPerCall(round.isolated.direct);

/**
 * The judged figure of a round: the breaker's own CPU per call (isolated) as a share of what the call it wraps
 * costs the client (the platform's unary action sent directly over gRPC, same process, same round), in percent.
 * The gRPC call's round-to-round noise scales this share (a 7% swing moves 1.5% to 1.6%), it does not swamp it.
 */
export const isolatedBreakerPercent = (round: RoundFigures): number => (isolatedBreakerUs(round) / cpuPerCall(round.direct)) * 100;

/** Rounds -> the three comparisons, each as an Estimate. */
export function breakerEstimates(rounds: readonly RoundFigures[]): { isolated: Estimate; inSitu: Estimate; wholeClient: Estimate } {
  return {
    isolated: estimate(rounds.map(isolatedBreakerPercent)),
    inSitu: estimate(rounds.map((round) => cpuOverheadPercent(round.direct, round.breaker))),
    wholeClient: estimate(rounds.map((round) => cpuOverheadPercent(round.plain, round.platform))),
  };
}

/**
 * "<= limit" judged by an interval: a pass needs all of it at or under the limit, a miss all of it above; an
 * interval that straddles the limit cannot tell (undefined).
 */
export function judgeAtMost(interval: { low: number; high: number } | undefined, limit: number): boolean | undefined {
  if (!interval || !Number.isFinite(interval.low) || !Number.isFinite(interval.high)) return undefined;
  if (interval.high <= limit) return true;
  if (interval.low > limit) return false;
  return undefined;
}
