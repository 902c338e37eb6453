import { invalidArgument, type FieldViolation } from '@shop/platform';
import type { CardInput, ShippingAddress } from './order';

export interface CheckoutLimits {
  maxItems: number;
  maxQuantity: number;
}

export interface CheckoutRequest {
  userId: string;
  requestId: string;
  items: Array<{ productId: string; quantity: number }>;
  shipping: ShippingAddress;
  card: CardInput;
  /** The caller's bearer token, forwarded to the product and payment services. */
  authorization: string;
  /** When the caller stops waiting (epoch ms), if it said. */
  deadline?: number | undefined;
}

const MAX_REQUEST_ID_LENGTH = 255;
const MAX_TEXT = 200;

/**
 * Checks the business limits and merges repeated products into one line (first appearance keeps its place).
 * Throws INVALID_ARGUMENT naming every bad field.
 */
export function normalizeCheckout(request: CheckoutRequest, limits: CheckoutLimits): CheckoutRequest {
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string) => violations.push({ field, description });

  if (request.requestId.length === 0 || request.requestId.length > MAX_REQUEST_ID_LENGTH) add('request_id', `must be 1 to ${MAX_REQUEST_ID_LENGTH} characters`);
  if (request.items.length === 0) add('items', 'at least one item is required');

  const merged = new Map<string, number>();
  request.items.forEach((item, index) => {
    if (item.productId.length === 0 || item.productId.length > 64) add(`items[${index}].product_id`, 'is required');
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > limits.maxQuantity) {
      add(`items[${index}].quantity`, `must be between 1 and ${limits.maxQuantity}`);
    }
    merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
  });
  if (merged.size > limits.maxItems) add('items', `at most ${limits.maxItems} distinct products per order`);
  for (const [productId, quantity] of merged) {
    if (quantity > limits.maxQuantity) add('items', `product ${productId}: at most ${limits.maxQuantity} units in total`);
  }

  const shipping = request.shipping;
  const required: Array<[keyof ShippingAddress, string]> = [['name', 'name'], ['line1', 'line1'], ['city', 'city'], ['postalCode', 'postal_code']];
  for (const [key, field] of required) {
    if (shipping[key].trim().length === 0) add(`shipping_address.${field}`, 'is required');
  }
  for (const key of Object.keys(shipping) as Array<keyof ShippingAddress>) {
    if (shipping[key].length > MAX_TEXT) add(`shipping_address.${key}`, `at most ${MAX_TEXT} characters`);
  }
  if (!/^[A-Z]{2}$/.test(shipping.country)) add('shipping_address.country', 'must be an ISO 3166-1 alpha-2 code, e.g. "US"');

  const card = request.card;
  if (!/^\d{12,19}$/.test(card.number)) add('card.number', 'must be 12 to 19 digits');
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) add('card.exp_month', 'must be 1 to 12');
  if (!Number.isInteger(card.expYear) || card.expYear < 2000 || card.expYear > 2100) add('card.exp_year', 'must be a four-digit year');
  if (!/^\d{3,4}$/.test(card.cvc)) add('card.cvc', 'must be 3 or 4 digits');

  if (violations.length > 0) throw invalidArgument('The order request is invalid', violations);
  return { ...request, items: [...merged].map(([productId, quantity]) => ({ productId, quantity })) };
}
