import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { normalizedCardNumber } from '../domain/card';
import {
  ProcessorUnavailableError,
  type AuthorizeOutcome,
  type AuthorizeRequest,
  type MovementRequest,
  type PaymentProcessor,
} from '../domain/processor';

export interface SimulatedProcessorSettings {
  /** Added to every call, to model a real provider's round trip in benchmarks. */
  latencyMs: number;
  /** How long the "slow" test card takes to answer: longer than any deadline. */
  slowMs: number;
}

/** Test cards in the spirit of the big providers'; any other Luhn-valid number approves. */
export const TEST_CARDS = {
  approve: '4242424242424242',
  cardDeclined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  transientFailure: '4000000000000119',
  slow: '4000000000000259',
} as const;

const DECLINES: Readonly<Record<string, string>> = {
  [TEST_CARDS.cardDeclined]: 'card_declined',
  [TEST_CARDS.insufficientFunds]: 'insufficient_funds',
};

/**
 * A card processor that decides by card number. Waits honour the signal, so an abandoned call stops at once
 * (and leaves no timer behind).
 */
export function createSimulatedProcessor(settings: SimulatedProcessorSettings): PaymentProcessor {
  const pause = async (ms: number, signal: AbortSignal): Promise<void> => {
    signal.throwIfAborted();
    if (ms > 0) await sleep(ms, undefined, { signal });
  };

  return {
    async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeOutcome> {
      const digits = normalizedCardNumber(request.card);
      await pause(digits === TEST_CARDS.slow ? settings.slowMs : settings.latencyMs, signal);
      if (digits === TEST_CARDS.transientFailure) throw new ProcessorUnavailableError();
      const declineCode = DECLINES[digits];
      if (declineCode !== undefined) return { approved: false, declineCode };
      return { approved: true, reference: `sim_auth_${randomUUID()}` };
    },
    async capture(_request: MovementRequest, signal: AbortSignal): Promise<void> {
      await pause(settings.latencyMs, signal);
    },
    async void(_request: Omit<MovementRequest, 'amount'>, signal: AbortSignal): Promise<void> {
      await pause(settings.latencyMs, signal);
    },
    async refund(_request: MovementRequest, signal: AbortSignal): Promise<void> {
      await pause(settings.latencyMs, signal);
    },
  };
}
