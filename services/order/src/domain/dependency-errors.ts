/**
 * How the saga sees a failed call to another service. The client adapters translate gRPC failures into
 * these two kinds, so that the saga never looks at status codes itself.
 */

export type Dependency = 'product' | 'payment';

/**
 * Transient: the dependency could not be reached, timed out or its breaker is open. When `notSent` is
 * false the call may have taken effect, so its outcome has to be looked up before deciding anything.
 */
export class DependencyUnavailableError extends Error {
  readonly dependency: Dependency;
  readonly notSent: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(dependency: Dependency, message: string, options: { notSent: boolean; retryAfterSeconds?: number | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
    this.notSent = options.notSent;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Final: the dependency answered and refused (e.g. OUT_OF_STOCK, NOT_FOUND, an invalid card). */
export class DependencyRefusedError extends Error {
  readonly dependency: Dependency;
  /** The gRPC status code number the dependency answered with. */
  readonly code: number;
  readonly reason: string | undefined;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: Array<{ field: string; description: string }>;

  constructor(
    dependency: Dependency,
    details: { code: number; message: string; reason: string | undefined; metadata: Record<string, string>; fieldViolations: Array<{ field: string; description: string }> },
  ) {
    super(details.message);
    this.name = 'DependencyRefusedError';
    this.dependency = dependency;
    this.code = details.code;
    this.reason = details.reason;
    this.metadata = details.metadata;
    this.fieldViolations = details.fieldViolations;
  }
}

/** The saga lost its lease on the order (another worker owns it now): stop without touching it. */
export class LeaseLostError extends Error {
  constructor(orderId: string) {
    super(`Lost the lease on order ${orderId}`);
    this.name = 'LeaseLostError';
  }
}
