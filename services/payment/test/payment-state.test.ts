import { DomainError } from '@shop/platform';
import { balancesFromLedger } from '../src/domain/ledger';
import {
  canApply,
  decideCapture,
  decideRefund,
  decideVoid,
  isTerminal,
  type PaymentEvent,
  type PaymentSnapshot,
  type PaymentStatus,
} from '../src/domain/payment-state';

const NOW = new Date('2026-11-22T12:00:00Z');
const LATER = new Date('2026-11-29T12:00:00Z');

const snapshot = (overrides: Partial<PaymentSnapshot> = {}): PaymentSnapshot => ({
  id: 'p1',
  status: 'AUTHORIZED',
  currency: 'USD',
  authorizedMinor: 10_000n,
  capturedMinor: 0n,
  refundedMinor: 0n,
  authorizationExpiresAt: LATER,
  ...overrides,
});

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    throw error;
  }
  return undefined;
}

const ALL: PaymentStatus[] = ['AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'DECLINED', 'FAILED'];
const LEGAL: Record<PaymentStatus, PaymentEvent[]> = {
  AUTHORIZED: ['CAPTURE', 'VOID'],
  CAPTURED: ['REFUND'],
  PARTIALLY_REFUNDED: ['REFUND'],
  REFUNDED: [],
  VOIDED: [],
  DECLINED: [],
  FAILED: [],
};

describe('payment state machine', () => {
  it.each(ALL.flatMap((from) => (['CAPTURE', 'VOID', 'REFUND'] as PaymentEvent[]).map((event) => [from, event] as const)))(
    '%s accepts %s only where the lifecycle allows',
    (from, event) => {
      expect(canApply(from, event)).toBe(LEGAL[from].includes(event));
      const state = snapshot({ status: from, capturedMinor: from === 'AUTHORIZED' ? 0n : 10_000n, refundedMinor: from === 'PARTIALLY_REFUNDED' ? 1n : 0n });
      const decide = { CAPTURE: () => decideCapture(state, undefined, NOW), VOID: () => decideVoid(state), REFUND: () => decideRefund(state, undefined) }[event];
      expect(reasonOf(decide)).toBe(LEGAL[from].includes(event) ? undefined : 'INVALID_STATE_TRANSITION');
    },
  );

  it('DECLINED, FAILED, VOIDED and REFUNDED are terminal', () => {
    expect(ALL.filter(isTerminal)).toEqual(['REFUNDED', 'VOIDED', 'DECLINED', 'FAILED']);
  });

  it('captures the full authorization by default, or part of it, into CAPTURED', () => {
    expect(decideCapture(snapshot(), undefined, NOW)).toEqual({ kind: 'CAPTURE', amountMinor: 10_000n, status: 'CAPTURED' });
    expect(decideCapture(snapshot(), { currency: 'USD', amountMinor: 2_500n }, NOW)).toEqual({ kind: 'CAPTURE', amountMinor: 2_500n, status: 'CAPTURED' });
  });

  it('refuses a capture above the authorization, in another currency, or once expired', () => {
    expect(reasonOf(() => decideCapture(snapshot(), { currency: 'USD', amountMinor: 10_001n }, NOW))).toBe('AMOUNT_EXCEEDS_LIMIT');
    expect(reasonOf(() => decideCapture(snapshot(), { currency: 'EUR', amountMinor: 1n }, NOW))).toBe('CURRENCY_MISMATCH');
    expect(reasonOf(() => decideCapture(snapshot(), undefined, LATER))).toBe('AUTHORIZATION_EXPIRED');
    expect(reasonOf(() => decideCapture(snapshot(), undefined, new Date(LATER.getTime() - 1)))).toBeUndefined();
  });

  it('voids release the whole authorization, even after expiry', () => {
    expect(decideVoid(snapshot({ authorizationExpiresAt: NOW }))).toEqual({ kind: 'VOID', amountMinor: 10_000n, status: 'VOIDED' });
  });

  it('refunds repeat up to the captured amount, ending REFUNDED', () => {
    const captured = snapshot({ status: 'CAPTURED', capturedMinor: 6_000n });
    expect(decideRefund(captured, { currency: 'USD', amountMinor: 1_000n })).toEqual({ kind: 'REFUND', amountMinor: 1_000n, status: 'PARTIALLY_REFUNDED' });
    const partly = snapshot({ status: 'PARTIALLY_REFUNDED', capturedMinor: 6_000n, refundedMinor: 5_000n });
    expect(reasonOf(() => decideRefund(partly, { currency: 'USD', amountMinor: 1_001n }))).toBe('AMOUNT_EXCEEDS_LIMIT');
    expect(decideRefund(partly, { currency: 'USD', amountMinor: 1_000n })).toEqual({ kind: 'REFUND', amountMinor: 1_000n, status: 'REFUNDED' });
    expect(decideRefund(partly, undefined)).toEqual({ kind: 'REFUND', amountMinor: 1_000n, status: 'REFUNDED' });
    expect(reasonOf(() => decideRefund(partly, { currency: 'GBP', amountMinor: 1n }))).toBe('CURRENCY_MISMATCH');
  });
});

describe('balances from the ledger', () => {
  it('sums authorizations, captures and refunds; voids and declines move no balance', () => {
    expect(
      balancesFromLedger([
        { kind: 'AUTHORIZATION', amountMinor: 10_000n },
        { kind: 'CAPTURE', amountMinor: 6_000n },
        { kind: 'REFUND', amountMinor: 1_000n },
        { kind: 'REFUND', amountMinor: 2_000n },
      ]),
    ).toEqual({ authorizedMinor: 10_000n, capturedMinor: 6_000n, refundedMinor: 3_000n });
    expect(balancesFromLedger([{ kind: 'DECLINE', amountMinor: 500n }])).toEqual({ authorizedMinor: 0n, capturedMinor: 0n, refundedMinor: 0n });
    expect(balancesFromLedger([{ kind: 'AUTHORIZATION', amountMinor: 500n }, { kind: 'VOID', amountMinor: 500n }]).authorizedMinor).toBe(500n);
  });
});
