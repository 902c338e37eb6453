/** The body of POST /v1/orders, as the edge accepts it (validated loosely: the baseline measures SQL, not zod). */
export interface CheckoutBody {
  items: Array<{ productId: string; quantity: number }>;
  card: { number: string; expMonth: number; expYear: number; cvc: string };
  shippingAddress: { name: string; line1: string; line2?: string; city: string; postalCode: string; country: string };
}

export interface PricedLine {
  productId: string;
  quantity: number;
  sku: string;
  name: string;
  unitPriceMinor: bigint;
  lineTotalMinor: bigint;
}

export interface PlacedOrder {
  id: string;
  userId: string;
  currency: string;
  totalMinor: bigint;
  lines: PricedLine[];
  paymentId: string;
  cardLast4: string;
}

/** A refusal the baseline answers with a 4xx, as the edge would. */
export class CheckoutRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function isCheckoutBody(value: unknown): value is CheckoutBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Partial<CheckoutBody>;
  return (
    Array.isArray(body.items) &&
    body.items.length > 0 &&
    body.items.every((item) => typeof item?.productId === 'string' && Number.isInteger(item.quantity) && item.quantity > 0) &&
    typeof body.card?.number === 'string' &&
    typeof body.shippingAddress?.name === 'string'
  );
}
