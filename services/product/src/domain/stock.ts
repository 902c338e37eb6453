import { invalidArgument, type FieldViolation } from '@shop/platform';

export interface StockRecord {
  productId: string;
  onHand: number;
  reserved: number;
  sold: number;
  updateTime: Date;
}

export type MovementKind = 'ADJUSTMENT' | 'RESERVE' | 'RELEASE' | 'COMMIT' | 'EXPIRE' | 'RESTOCK';

export interface MovementRecord {
  id: string;
  productId: string;
  kind: MovementKind;
  quantity: number;
  reason: string;
  reservationId: string | null;
  createTime: Date;
}

/** What may be sold right now; the CHECK constraints keep it from going negative. */
export const availableOf = (stock: Pick<StockRecord, 'onHand' | 'reserved'>): number => stock.onHand - stock.reserved;

export interface AdjustmentInput {
  productId: string;
  delta: number;
  reason: string;
  requestId: string | null;
}

const MAX_DELTA = 1_000_000;

export function validateAdjustment(input: AdjustmentInput): AdjustmentInput {
  const violations: FieldViolation[] = [];
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_DELTA) {
    violations.push({ field: 'delta', description: `a non-zero whole number of at most ${MAX_DELTA} units either way` });
  }
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) violations.push({ field: 'reason', description: 'required, at most 500 characters' });
  if (input.requestId !== null && !/^[A-Za-z0-9._:-]{1,128}$/.test(input.requestId)) {
    violations.push({ field: 'request_id', description: '1-128 letters, digits, ".", "_", ":" or "-"' });
  }
  if (violations.length > 0) throw invalidArgument('The stock adjustment is not valid', violations);
  return { ...input, reason };
}

/** A retried adjustment must repeat the original; the same request id with other values is refused. */
export const sameAdjustment = (movement: MovementRecord, input: AdjustmentInput): boolean =>
  movement.productId === input.productId && movement.quantity === input.delta && movement.reason === input.reason;
