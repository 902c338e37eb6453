import type { TransactionKind } from './payment-state';

export interface LedgerEntry {
  id: string;
  kind: TransactionKind;
  amountMinor: bigint;
  currency: string;
  requestId: string;
  reason: string | null;
  createdAt: Date;
}

export interface Balances {
  authorizedMinor: bigint;
  capturedMinor: bigint;
  refundedMinor: bigint;
}

/**
 * The one source of a payment's balances: the sum of its ledger movements. A void releases the authorization
 * but does not change what was authorized, so it is not subtracted here.
 */
export function balancesFromLedger(entries: readonly Pick<LedgerEntry, 'kind' | 'amountMinor'>[]): Balances {
  const balances: Balances = { authorizedMinor: 0n, capturedMinor: 0n, refundedMinor: 0n };
  for (const entry of entries) {
    if (entry.kind === 'AUTHORIZATION') balances.authorizedMinor += entry.amountMinor;
    else if (entry.kind === 'CAPTURE') balances.capturedMinor += entry.amountMinor;
    else if (entry.kind === 'REFUND') balances.refundedMinor += entry.amountMinor;
  }
  return balances;
}
