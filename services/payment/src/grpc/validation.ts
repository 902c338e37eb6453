import { invalidArgument, type FieldViolation } from '@shop/platform';
import type { Money as MoneyMessage } from '@shop/proto/gen/shop/common/v1/money';
import { isCurrencyCode, type Money } from '../domain/money';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ORDER_ID = 128;
const MAX_REASON = 500;
// The ledger stores int64; anything larger cannot be a real amount.
const MAX_AMOUNT_MINOR = 2n ** 63n - 1n;

/** Collects violations field by field and throws them all at once. */
export class RequestCheck {
  private readonly violations: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.violations.push({ field, description });
  }

  requestId(value: string, field = 'request_id'): string {
    if (!REQUEST_ID.test(value)) this.add(field, 'required: 1-128 characters of A-Z a-z 0-9 . _ : -');
    return value;
  }

  paymentId(value: string, field = 'payment_id'): string {
    if (!UUID.test(value)) this.add(field, 'must be a payment id (UUID)');
    return value.toLowerCase();
  }

  orderId(value: string, field = 'order_id'): string {
    if (value.trim() === '' || value.length > MAX_ORDER_ID) this.add(field, `required, at most ${MAX_ORDER_ID} characters`);
    return value;
  }

  reason(value: string, field = 'reason'): string {
    if (value.length > MAX_REASON) this.add(field, `at most ${MAX_REASON} characters`);
    return value;
  }

  money(value: MoneyMessage | undefined, field: string): Money | undefined {
    if (value === undefined) return undefined;
    if (!isCurrencyCode(value.currencyCode)) this.add(`${field}.currency_code`, 'must be an ISO 4217 code such as USD');
    if (value.amountMinor <= 0n || value.amountMinor > MAX_AMOUNT_MINOR) this.add(`${field}.amount_minor`, 'must be positive');
    return { currency: value.currencyCode, amountMinor: value.amountMinor };
  }

  requiredMoney(value: MoneyMessage | undefined, field: string): Money {
    if (value === undefined) {
      this.add(field, 'required');
      return { currency: '', amountMinor: 0n };
    }
    return this.money(value, field) ?? { currency: '', amountMinor: 0n };
  }

  done(): void {
    if (this.violations.length > 0) throw invalidArgument('The request is invalid', this.violations);
  }
}
