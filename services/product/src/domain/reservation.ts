import { failedPrecondition, invalidArgument, type DomainError, type FieldViolation } from '@shop/platform';
import { isProductId } from './product';

export type ReservationState = 'HELD' | 'COMMITTED' | 'RELEASED' | 'EXPIRED' | 'RESTOCKED';

export interface ReservationItem {
  productId: string;
  quantity: number;
}

export interface ReservationRecord {
  id: string;
  state: ReservationState;
  items: ReservationItem[];
  expireTime: Date;
  createTime: Date;
  updateTime: Date;
}

/** What can happen to a reservation after it is held. */
export type ReservationAction = 'COMMIT' | 'RELEASE' | 'EXPIRE' | 'RESTOCK';

/** The one state change each action makes; anything else is a replay or an error (see `outcomeOfNoop`). */
export const TRANSITIONS: Readonly<Record<ReservationAction, { from: ReservationState; to: ReservationState }>> = {
  COMMIT: { from: 'HELD', to: 'COMMITTED' },
  RELEASE: { from: 'HELD', to: 'RELEASED' },
  EXPIRE: { from: 'HELD', to: 'EXPIRED' },
  RESTOCK: { from: 'COMMITTED', to: 'RESTOCKED' },
};

/**
 * How each counter moves per unit when an action applies, and the signed quantity its ledger row records
 * (the change of the counter the kind concerns: `reserved` for reserve/release/expire, `on_hand` for commit/restock).
 */
export const STOCK_EFFECTS: Readonly<Record<ReservationAction, { onHand: number; reserved: number; sold: number; ledger: number }>> = {
  COMMIT: { onHand: -1, reserved: -1, sold: 1, ledger: -1 },
  RELEASE: { onHand: 0, reserved: -1, sold: 0, ledger: -1 },
  EXPIRE: { onHand: 0, reserved: -1, sold: 0, ledger: -1 },
  RESTOCK: { onHand: 1, reserved: 0, sold: -1, ledger: 1 },
};

// States in which a repeated call finds the work already done: it answers with the reservation as it is.
const ALREADY_DONE: Readonly<Record<ReservationAction, readonly ReservationState[]>> = {
  // A restocked reservation was committed first, so a late commit replay is still answered, not refused.
  COMMIT: ['COMMITTED', 'RESTOCKED'],
  // Expiry already gave the stock back, which is what the caller wanted.
  RELEASE: ['RELEASED', 'EXPIRED'],
  EXPIRE: ['EXPIRED', 'RELEASED', 'COMMITTED', 'RESTOCKED'],
  RESTOCK: ['RESTOCKED'],
};

/**
 * Decides what an action means when its conditional state update changed nothing: a replay (answer with the
 * reservation as it is) or a refusal (FAILED_PRECONDITION).
 */
export function outcomeOfNoop(action: ReservationAction, current: ReservationState): 'replay' | DomainError {
  if (ALREADY_DONE[action].includes(current)) return 'replay';
  const metadata = { state: current };
  if (action === 'COMMIT' && current === 'EXPIRED') {
    return failedPrecondition('RESERVATION_EXPIRED', 'The reservation expired and its stock was released', metadata);
  }
  const verb = action.toLowerCase();
  return failedPrecondition('INVALID_STATE_TRANSITION', `A ${current.toLowerCase()} reservation cannot ${verb === 'restock' ? 'be restocked' : verb}`, metadata);
}

const MAX_ITEMS = 100;
const MAX_QUANTITY = 1_000_000;
const RESERVATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Validates a reservation request; repeated product ids are merged, and items come back sorted by product id
 * (the order stock rows are locked in, so concurrent reservations cannot deadlock). */
export function normalizeReservationRequest(id: string, items: readonly ReservationItem[]): { id: string; items: ReservationItem[] } {
  const violations: FieldViolation[] = [];
  validateReservationId(id, violations);
  if (items.length === 0 || items.length > MAX_ITEMS) violations.push({ field: 'items', description: `1-${MAX_ITEMS} items` });
  const merged = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isProductId(item.productId)) violations.push({ field: `items[${i}].product_id`, description: 'must be a product id' });
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) violations.push({ field: `items[${i}].quantity`, description: 'must be positive' });
    merged.set(item.productId.toLowerCase(), (merged.get(item.productId.toLowerCase()) ?? 0) + item.quantity);
  });
  for (const [productId, quantity] of merged) {
    if (quantity > MAX_QUANTITY) violations.push({ field: 'items', description: `at most ${MAX_QUANTITY} units of ${productId}` });
  }
  if (violations.length > 0) throw invalidArgument('The reservation request is not valid', violations);
  const sorted = [...merged].map(([productId, quantity]) => ({ productId, quantity }));
  sorted.sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  return { id, items: sorted };
}

export function validateReservationId(id: string, violations: FieldViolation[] = []): FieldViolation[] {
  if (!RESERVATION_ID.test(id)) violations.push({ field: 'reservation_id', description: '1-128 letters, digits, ".", "_", ":" or "-"' });
  return violations;
}

export function requireReservationId(id: string): string {
  const violations = validateReservationId(id);
  if (violations.length > 0) throw invalidArgument('reservation_id is not valid', violations);
  return id;
}

/** A replay must ask for the same thing as the original; the same id with other items is a client bug. */
export function sameItems(a: readonly ReservationItem[], b: readonly ReservationItem[]): boolean {
  if (a.length !== b.length) return false;
  const key = (items: readonly ReservationItem[]) =>
    items.map((item) => `${item.productId.toLowerCase()}:${item.quantity}`).sort().join(',');
  return key(a) === key(b);
}

export const MAX_TTL_SECONDS = 24 * 60 * 60;

/** The hold's lifetime: the request's TTL when given (1 s to 24 h), otherwise the configured default. */
export function resolveTtlSeconds(requested: number | undefined, fallbackSeconds: number): number {
  if (requested === undefined || requested === 0) return fallbackSeconds;
  if (!(requested >= 1 && requested <= MAX_TTL_SECONDS)) {
    throw invalidArgument('ttl is out of range', [{ field: 'ttl', description: `between 1 second and ${MAX_TTL_SECONDS} seconds` }]);
  }
  return requested;
}
