import { DomainError } from '@shop/platform';
import type { OrderRecord } from './order';
import type { NewOrder } from './ports';
import type { SagaOutcome } from './checkout-saga';

/** What a CreateOrder call answered, stored so that a replay answers exactly the same. */
export type StoredOutcome =
  | { kind: 'order'; order: OrderRecord }
  | { kind: 'error'; code: number; message: string; reason: string | undefined; metadata: Record<string, string>; fieldViolations: Array<{ field: string; description: string }> };

export interface StoredKey {
  fingerprint: string;
  orderId: string;
  state: 'IN_PROGRESS' | 'COMPLETED';
  outcome: StoredOutcome | null;
}

export type BeginResult = { kind: 'started'; order: OrderRecord } | { kind: 'existing'; key: StoredKey };

export interface IdempotencyStore {
  /**
   * Inserts the key and, only if it is new, the order, in one transaction: the unique key decides which of
   * several concurrent calls runs. An expired key is replaced.
   */
  begin(key: { userId: string; requestId: string; fingerprint: string; expiresAt: Date }, order: NewOrder, lease: { owner: string; until: Date }): Promise<BeginResult>;
  /** Stores the outcome of the key of this order, if the key is still IN_PROGRESS. */
  complete(orderId: string, outcome: StoredOutcome): Promise<void>;
  /** Forgets an IN_PROGRESS key, so that the caller may try again with it. */
  discard(orderId: string): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
}

// Retriable answers are not stored: the attempt was undone, and the same key must be usable to try again.
const RETRIABLE_CODES = new Set<number>([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** Records a finished saga's answer on the order's idempotency key (a no-op when the key is already settled). */
export async function recordOutcome(store: IdempotencyStore, outcome: SagaOutcome): Promise<void> {
  if (outcome.kind === 'confirmed') {
    // The confirming transition stored it already (same statement as the confirmation).
    if (outcome.answered) return;
    await store.complete(outcome.order.id, { kind: 'order', order: outcome.order });
    return;
  }
  const error = outcome.error;
  if (RETRIABLE_CODES.has(error.code)) {
    await store.discard(outcome.order.id);
    return;
  }
  await store.complete(outcome.order.id, {
    kind: 'error', code: error.code, message: error.message, reason: error.reason, metadata: error.metadata, fieldViolations: error.fieldViolations,
  });
}

export function replayError(outcome: Extract<StoredOutcome, { kind: 'error' }>): DomainError {
  return new DomainError(outcome.code as DomainError['code'], outcome.message, {
    reason: outcome.reason, metadata: outcome.metadata, fieldViolations: outcome.fieldViolations,
  });
}
