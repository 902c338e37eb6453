import type { Money } from '@shop/proto/gen/shop/common/v1/money';

export interface MoneyJson {
  amountMinor: number;
  currency: string;
}

export const moneyToJson = (money: Money | undefined): MoneyJson => ({
  amountMinor: Number(money?.amountMinor ?? 0n),
  currency: money?.currencyCode ?? '',
});

export const moneyFromJson = (money: MoneyJson): Money => ({ amountMinor: BigInt(money.amountMinor), currencyCode: money.currency });

export const timestampToJson = (time: Date | undefined): string | null => (time ? time.toISOString() : null);

/** ROLE_ADMIN -> ADMIN: public enums are short strings without the proto prefix. */
export const stripEnumPrefix = (name: string, prefix: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
