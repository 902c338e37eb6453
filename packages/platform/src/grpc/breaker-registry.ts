import type CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  /** "<service>.<method>", e.g. "payment.authorizePayment". */
  name: string;
  state: BreakerState;
  fires: number;
  failures: number;
  rejects: number;
  timeouts: number;
}

const breakers = new Map<string, CircuitBreaker>();

export function registerBreaker(name: string, breaker: CircuitBreaker): void {
  breakers.set(name, breaker);
}

export function unregisterBreaker(name: string, breaker: CircuitBreaker): void {
  if (breakers.get(name) === breaker) breakers.delete(name);
}

export const breakerState = (breaker: CircuitBreaker): BreakerState =>
  breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';

/** Every circuit breaker of this process and its state: the queryable side of the breakers. */
export function breakerSnapshots(): BreakerSnapshot[] {
  return [...breakers.entries()].map(([name, breaker]) => ({
    name,
    state: breakerState(breaker),
    fires: breaker.stats.fires,
    failures: breaker.stats.failures,
    rejects: breaker.stats.rejects,
    timeouts: breaker.stats.timeouts,
  }));
}
