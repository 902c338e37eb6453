import type { CardDetails } from './card';
import type { Money } from './money';

/**
 * The card processor as the domain sees it. The simulated one lives in src/processor; a real provider's adapter
 * implements the same contract. Every call carries the caller's request id as the processor's idempotency key,
 * so retrying after a timeout or a crash never charges twice at the provider.
 */
export interface PaymentProcessor {
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeOutcome>;
  capture(request: MovementRequest, signal: AbortSignal): Promise<void>;
  void(request: Omit<MovementRequest, 'amount'>, signal: AbortSignal): Promise<void>;
  refund(request: MovementRequest, signal: AbortSignal): Promise<void>;
}

export interface AuthorizeRequest {
  idempotencyKey: string;
  amount: Money;
  card: CardDetails;
}

export interface MovementRequest {
  idempotencyKey: string;
  /** The processor's reference of the authorization. */
  reference: string;
  amount: Money;
}

export type AuthorizeOutcome =
  | { approved: true; reference: string }
  | { approved: false; declineCode: string };

/** A failure that did not decide anything: the same request may be retried. */
export class ProcessorUnavailableError extends Error {
  constructor(message = 'The card processor is temporarily unavailable') {
    super(message);
    this.name = 'ProcessorUnavailableError';
  }
}
