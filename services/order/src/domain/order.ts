/** The order as the domain sees it, independent of how it is stored or sent. */

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export type SagaPhase = 'FORWARD' | 'COMPENSATING' | 'CANCELLING' | 'DONE';

/** How far the forward path got; *ING steps are recorded before the call, so their outcome may be unknown. */
export type SagaStep =
  | 'CREATED'
  | 'PRICED'
  | 'RESERVING'
  | 'RESERVED'
  | 'AUTHORIZING'
  | 'AUTHORIZED'
  | 'COMMITTED'
  | 'CAPTURED';

const STEP_SEQUENCE: readonly SagaStep[] = [
  'CREATED', 'PRICED', 'RESERVING', 'RESERVED', 'AUTHORIZING', 'AUTHORIZED', 'COMMITTED', 'CAPTURED',
];

/** True when the forward path got at least as far as `target`. */
export const reached = (step: SagaStep, target: SagaStep): boolean =>
  STEP_SEQUENCE.indexOf(step) >= STEP_SEQUENCE.indexOf(target);

/** Payment states as the payment service names them (shop.payment.v1.PaymentStatus without the prefix). */
export type PaymentState =
  | 'UNSPECIFIED'
  | 'AUTHORIZED'
  | 'CAPTURED'
  | 'PARTIALLY_REFUNDED'
  | 'REFUNDED'
  | 'VOIDED'
  | 'DECLINED'
  | 'FAILED';

export interface CardSummary {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface OrderPaymentSummary {
  paymentId: string;
  status: PaymentState;
  card: CardSummary | null;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface OrderLine {
  productId: string;
  quantity: number;
  /** Snapshots, null until the order is priced. */
  sku: string | null;
  name: string | null;
  unitPriceMinor: bigint | null;
  lineTotalMinor: bigint | null;
}

export interface OrderRecord {
  id: string;
  userId: string;
  status: OrderStatus;
  statusReason: string;
  phase: SagaPhase;
  step: SagaStep;
  pendingReason: string | null;
  currency: string | null;
  totalMinor: bigint | null;
  shipping: ShippingAddress;
  payment: OrderPaymentSummary | null;
  items: OrderLine[];
  createTime: Date;
  updateTime: Date;
}

/** Card details as entered; they live only in memory for the length of one CreateOrder call. */
export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** Reasons an order ends CANCELLED with. */
export const CancelReason = {
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  PRODUCT_UNAVAILABLE: 'PRODUCT_UNAVAILABLE',
  CURRENCY_MISMATCH: 'CURRENCY_MISMATCH',
  CARD_INVALID: 'CARD_INVALID',
  DEPENDENCY_UNAVAILABLE: 'DEPENDENCY_UNAVAILABLE',
  /** The process running the checkout stopped before payment; the card is gone, so the order is undone. */
  CHECKOUT_INTERRUPTED: 'CHECKOUT_INTERRUPTED',
  RESERVATION_EXPIRED: 'RESERVATION_EXPIRED',
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  CUSTOMER_CANCELLED: 'CUSTOMER_CANCELLED',
  ADMIN_CANCELLED: 'ADMIN_CANCELLED',
} as const;
