export interface ThrottlePolicy {
  windowSeconds: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Decides from the limiting failure of each scope: the newest failure that, with the ones after it, reaches
 * the limit (null when the scope is under its limit). Sign-in is allowed again once that failure leaves the
 * window, so that is when the caller may retry.
 */
export function decideThrottle(limitingFailures: ReadonlyArray<Date | null>, windowSeconds: number, now: Date): ThrottleDecision {
  let reopensAt: number | undefined;
  for (const failure of limitingFailures) {
    if (failure === null) continue;
    const at = failure.getTime() + windowSeconds * 1000;
    if (at > now.getTime() && (reopensAt === undefined || at > reopensAt)) reopensAt = at;
  }
  if (reopensAt === undefined) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((reopensAt - now.getTime()) / 1000)) };
}
