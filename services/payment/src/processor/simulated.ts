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

/** How many idempotency keys the processor remembers (the oldest are forgotten first), bounding its memory. */
const REMEMBERED_KEYS = 10_000;

/**
 * A card processor that decides by card number. Like a real provider it is idempotent per idempotency key: it
 * decides (and moves money) when a request arrives, then takes its latency to answer, and a repeat of the key gets
 * the first decision (the same reference), never a second movement. So a call abandoned mid-way (its signal
 * aborted) may have been decided, as on a real network. Waits honour the signal (no timer left behind).
 */
export function createSimulatedProcessor(settings: SimulatedProcessorSettings): PaymentProcessor {
  const pause = async (ms: number, signal: AbortSignal): Promise<void> => {
    if (ms > 0) await sleep(ms, undefined, { signal });
  };
  const decided = new Map<string, AuthorizeOutcome | 'moved'>();
  const remember = <T extends AuthorizeOutcome | 'moved'>(key: string, decide: () => T): T => {
    const earlier = decided.get(key);
    if (earlier !== undefined) return earlier as T;
    const outcome = decide();
    decided.set(key, outcome);
    if (decided.size > REMEMBERED_KEYS) decided.delete(decided.keys().next().value as string);
    return outcome;
  };
  const move = async (key: string, signal: AbortSignal): Promise<void> => {
    signal.throwIfAborted();
    remember(key, () => 'moved' as const);
    await pause(settings.latencyMs, signal);
  };

  return {
    async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeOutcome> {
      signal.throwIfAborted();
      const digits = normalizedCardNumber(request.card);
      if (digits === TEST_CARDS.transientFailure) {
        // Refused before deciding anything.
        await pause(settings.latencyMs, signal);
        throw new ProcessorUnavailableError();
      }
      const outcome = remember(request.idempotencyKey, (): AuthorizeOutcome => {
        const declineCode = DECLINES[digits];
        return declineCode !== undefined ? { approved: false, declineCode } : { approved: true, reference: `sim_auth_${randomUUID()}` };
      });
      await pause(digits === TEST_CARDS.slow ? settings.slowMs : settings.latencyMs, signal);
      return outcome;
    },
    capture: (request: MovementRequest, signal: AbortSignal) => move(request.idempotencyKey, signal),
    void: (request: Omit<MovementRequest, 'amount'>, signal: AbortSignal) => move(request.idempotencyKey, signal),
    refund: (request: MovementRequest, signal: AbortSignal) => move(request.idempotencyKey, signal),
  };
}
