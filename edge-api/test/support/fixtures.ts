import { OrderStatus, type Order } from '@shop/proto/gen/shop/order/v1/order';
import { PaymentStatus } from '@shop/proto/gen/shop/payment/v1/payment';
import type { Product } from '@shop/proto/gen/shop/product/v1/product';
import type { CachedProduct } from '../../src/cache/product-cache';
import { productToJson } from '../../src/mappers/products';

export const product = (id: string, overrides: Partial<Product> = {}): Product => ({
  id,
  sku: `SKU-${id}`,
  name: `Product ${id}`,
  description: 'A fine thing',
  price: { currencyCode: 'USD', amountMinor: 1999n },
  category: 'things',
  imageUrls: ['https://img.example/1.png'],
  active: true,
  createTime: new Date('2026-01-01T00:00:00Z'),
  updateTime: new Date('2026-01-02T00:00:00Z'),
  archiveTime: undefined,
  ...overrides,
});

/** A product cache entry; `version` shows in its name and ETag, so that tests can tell versions apart. */
export const cachedProduct = (id: string, version = 1): CachedProduct => {
  const body = productToJson(product(id, { name: `Product ${id} v${version}` }));
  return { json: Buffer.from(JSON.stringify(body)), etag: `"${id}-${version}"` };
};

export const order = (id: string, overrides: Partial<Order> = {}): Order => ({
  id,
  userId: 'customer-1',
  status: OrderStatus.ORDER_STATUS_CONFIRMED,
  statusReason: '',
  items: [
    {
      productId: 'p1', sku: 'SKU-p1', name: 'Product p1', quantity: 2,
      unitPrice: { currencyCode: 'USD', amountMinor: 1999n }, lineTotal: { currencyCode: 'USD', amountMinor: 3998n },
    },
  ],
  total: { currencyCode: 'USD', amountMinor: 3998n },
  shippingAddress: { name: 'Ada', line1: '1 Main St', line2: '', city: 'Springfield', postalCode: '12345', country: 'US' },
  payment: { paymentId: 'pay-1', status: PaymentStatus.PAYMENT_STATUS_CAPTURED, card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 } },
  createTime: new Date('2026-01-01T00:00:00Z'),
  updateTime: new Date('2026-01-01T00:00:01Z'),
  ...overrides,
});

export const checkoutBody = (overrides: Record<string, unknown> = {}) => ({
  items: [{ productId: 'p1', quantity: 2 }],
  card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
  ...overrides,
});
