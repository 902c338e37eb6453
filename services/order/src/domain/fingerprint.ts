import { createHmac, hash } from 'node:crypto';
import type { CheckoutRequest } from './checkout-request';

/**
 * What decides whether two CreateOrder calls under one request_id are "the same request": items (in any
 * order), address and card. The card enters as an HMAC with a server secret, so that the stored fingerprint
 * cannot be reversed into a card number by trying every number.
 */
export function checkoutFingerprint(request: Pick<CheckoutRequest, 'items' | 'shipping' | 'card'>, secret: string): string {
  const { card, shipping } = request;
  const cardMac = createHmac('sha256', secret).update(JSON.stringify([card.number, card.expMonth, card.expYear, card.cvc])).digest('hex');
  const items = [...request.items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0)).map((item) => [item.productId, item.quantity]);
  const address = [shipping.name, shipping.line1, shipping.line2, shipping.city, shipping.postalCode, shipping.country];
  // One-shot hash: the same digest as createHash without a Hash object per call.
  return hash('sha256', JSON.stringify({ v: 1, items, address, card: cardMac }), 'hex');
}
