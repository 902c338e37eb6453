import { createPageTokenCodec, type PageTokenCodec } from '@shop/platform';
import type { PageCursor } from '../domain/ports';

interface Position {
  t: string;
  i: string;
}

const isPosition = (value: unknown): value is Position =>
  typeof value === 'object' && value !== null &&
  typeof (value as Position).t === 'string' && typeof (value as Position).i === 'string' &&
  !Number.isNaN(Date.parse((value as Position).t));

/** ListPayments page tokens: the last payment's (create time, id), signed and bound to the order id. */
export function createPaymentPageTokens(secret: string) {
  const codec: PageTokenCodec<Position> = createPageTokenCodec(secret, isPosition);
  return {
    encode: (cursor: PageCursor, orderId: string): string => codec.encode({ t: cursor.createdAt.toISOString(), i: cursor.id }, { orderId }),
    decode: (token: string, orderId: string): PageCursor | undefined => {
      const position = codec.decode(token, { orderId });
      return position === undefined ? undefined : { createdAt: new Date(position.t), id: position.i };
    },
  };
}

export type PaymentPageTokens = ReturnType<typeof createPaymentPageTokens>;
