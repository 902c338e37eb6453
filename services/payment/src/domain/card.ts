import { invalidArgument, type FieldViolation } from '@shop/platform';

/** Card details as entered. Lives only for the duration of one authorization; never stored or logged. */
export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** All that is ever kept of a card. */
export interface CardSummary {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}

/**
 * Checks a card before any processor sees it: digits and Luhn, an expiry month that has not ended, a 3-4 digit
 * CVC. The violations name fields but never echo their values.
 */
export function validateCard(card: CardDetails, now: Date, field = 'card'): CardSummary {
  const violations: FieldViolation[] = [];
  const digits = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) {
    violations.push({ field: `${field}.number`, description: 'must be 12 to 19 digits' });
  } else if (!passesLuhn(digits)) {
    violations.push({ field: `${field}.number`, description: 'is not a valid card number' });
  }
  const monthValid = Number.isInteger(card.expMonth) && card.expMonth >= 1 && card.expMonth <= 12;
  if (!monthValid) violations.push({ field: `${field}.exp_month`, description: 'must be 1 to 12' });
  const yearValid = Number.isInteger(card.expYear) && card.expYear >= 1000 && card.expYear <= 9999;
  if (!yearValid) violations.push({ field: `${field}.exp_year`, description: 'must be a four-digit year' });
  if (monthValid && yearValid) {
    const thisMonth = now.getUTCFullYear() * 12 + now.getUTCMonth();
    if (card.expYear * 12 + (card.expMonth - 1) < thisMonth) {
      violations.push({ field: `${field}.exp_month`, description: 'the card has expired' });
    }
  }
  if (!/^\d{3,4}$/.test(card.cvc)) violations.push({ field: `${field}.cvc`, description: 'must be 3 or 4 digits' });
  if (violations.length > 0) throw invalidArgument('The card details are invalid', violations);
  return { brand: cardBrand(digits), last4: digits.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
}

/** The digits only, as processors want them. */
export const normalizedCardNumber = (card: CardDetails): string => card.number.replace(/[\s-]/g, '');
