import { z } from 'zod';
import { MoneySchema, NEXT_PAGE_TOKEN, PageQuery, TimestampSchema } from './common';

export const MAX_ITEMS_PER_ORDER = 50;
export const MAX_QUANTITY_PER_ITEM = 100;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED'] as const;

const AddressSchema = z
  .object({
    name: z.string().min(1).max(200),
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    postalCode: z.string().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  })
  .strict();

export const CreateOrderBody = z
  .object({
    items: z
      .array(
        z
          .object({
            productId: z.string().min(1).max(128),
            quantity: z.number().int().min(1).max(MAX_QUANTITY_PER_ITEM),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_ITEMS_PER_ORDER),
    card: z
      .object({
        number: z.string().regex(/^[0-9 ]{12,23}$/, 'must be 12 to 19 digits'),
        expMonth: z.number().int().min(1).max(12),
        expYear: z.number().int().min(2000).max(2200),
        cvc: z.string().regex(/^[0-9]{3,4}$/, 'must be 3 or 4 digits'),
      })
      .strict(),
    shippingAddress: AddressSchema,
  })
  .strict();

export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const OrderItemSchema = z.object({
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  unitPrice: MoneySchema,
  quantity: z.number().int(),
  lineTotal: MoneySchema,
});

export const OrderSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    status: z.enum([...ORDER_STATUSES, 'UNSPECIFIED']),
    statusReason: z.string().meta({ description: 'e.g. OUT_OF_STOCK, PAYMENT_DECLINED, CUSTOMER_CANCELLED' }),
    items: z.array(OrderItemSchema),
    total: MoneySchema,
    shippingAddress: z.object({
      name: z.string(),
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      postalCode: z.string(),
      country: z.string(),
    }),
    payment: z
      .object({
        id: z.string(),
        status: z.string().meta({ example: 'CAPTURED' }),
        card: z.object({ brand: z.string(), last4: z.string(), expMonth: z.number().int(), expYear: z.number().int() }).nullable(),
      })
      .nullable(),
    createdAt: TimestampSchema.nullable(),
    updatedAt: TimestampSchema.nullable(),
  })
  .meta({ title: 'Order' });

export const OrderListSchema = z.object({ orders: z.array(OrderSchema), nextPageToken: NEXT_PAGE_TOKEN });

export const AdminOrderListQuery = PageQuery.extend({ status: z.enum(ORDER_STATUSES).optional() });
