/** Money inside the domain: integer minor units of an ISO 4217 currency, never a float. */
export interface Money {
  currency: string;
  amountMinor: bigint;
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

export const isCurrencyCode = (value: string): boolean => CURRENCY_CODE.test(value);

export const money = (currency: string, amountMinor: bigint): Money => ({ currency, amountMinor });
