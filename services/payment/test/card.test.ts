import { DomainError } from '@shop/platform';
import { cardBrand, passesLuhn, validateCard } from '../src/domain/card';
import { cardFingerprint, requestFingerprint } from '../src/domain/fingerprint';

const NOW = new Date('2026-11-22T12:00:00Z');
const valid = { number: '4242424242424242', expMonth: 11, expYear: 2026, cvc: '123' };

function violations(card: typeof valid): string[] {
  try {
    validateCard(card, NOW);
  } catch (error) {
    if (error instanceof DomainError) return error.fieldViolations.map((v) => v.field);
    throw error;
  }
  return [];
}

describe('card checks', () => {
  it('implements Luhn', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn('4000000000000002')).toBe(true);
    expect(passesLuhn('378282246310005')).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
  });

  it('names the brand', () => {
    expect(cardBrand('4242424242424242')).toBe('visa');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223003122003222')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('6011111111111117')).toBe('discover');
    expect(cardBrand('3056930009020004')).toBe('unknown');
  });

  it('accepts a card valid through the current month and keeps brand, last 4 and expiry only', () => {
    expect(validateCard({ ...valid, number: '4242 4242 4242 4242' }, NOW)).toEqual({ brand: 'visa', last4: '4242', expMonth: 11, expYear: 2026 });
  });

  it('reports each bad field without echoing its value', () => {
    expect(violations({ ...valid, number: '4242424242424241' })).toEqual(['card.number']);
    expect(violations({ ...valid, number: '42' })).toEqual(['card.number']);
    expect(violations({ ...valid, expMonth: 10 })).toEqual(['card.exp_month']);
    expect(violations({ ...valid, expMonth: 0 })).toEqual(['card.exp_month']);
    expect(violations({ ...valid, expYear: 26 })).toEqual(['card.exp_year']);
    expect(violations({ ...valid, cvc: '12' })).toEqual(['card.cvc']);
    expect(violations({ ...valid, cvc: '12a' })).toEqual(['card.cvc']);
    expect(violations({ number: '1', expMonth: 13, expYear: 1, cvc: '' })).toEqual(['card.number', 'card.exp_month', 'card.exp_year', 'card.cvc']);
    const error = (() => {
      try {
        validateCard({ ...valid, number: '4242424242424241', cvc: '98' }, NOW);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DomainError);
    const described = JSON.stringify({ message: (error as DomainError).message, violations: (error as DomainError).fieldViolations });
    expect(described).not.toContain('4242424242424241');
    expect(described).not.toContain('98');
  });
});

describe('fingerprints', () => {
  it('are stable, order-independent and differ with any parameter', () => {
    const a = requestFingerprint({ operation: 'capture', paymentId: 'p', amount: '1' });
    expect(requestFingerprint({ amount: '1', paymentId: 'p', operation: 'capture' })).toBe(a);
    expect(requestFingerprint({ operation: 'capture', paymentId: 'p', amount: '2' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('identify a card by HMAC only, depending on the secret and not on the CVC', () => {
    const first = cardFingerprint('secret-one-secret-one', valid);
    expect(first).not.toContain('4242');
    expect(cardFingerprint('secret-one-secret-one', { ...valid, cvc: '999' })).toBe(first);
    expect(cardFingerprint('secret-two-secret-two', valid)).not.toBe(first);
    expect(cardFingerprint('secret-one-secret-one', { ...valid, number: '5555555555554444' })).not.toBe(first);
  });
});
