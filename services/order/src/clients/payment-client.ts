import { createServiceClient, type Logger } from '@shop/platform';
import { PaymentServiceService, paymentStatusToJSON, type Payment } from '@shop/proto/gen/shop/payment/v1/payment';
import type { PaymentState } from '../domain/order';
import type { Payments, PaymentView } from '../domain/ports';
import { call } from './translate-error';

export interface PaymentClientSettings {
  target: string;
  deadlineMs: number;
  logger: Logger;
}

const PAGE_SIZE = 50;

/** The payment service through the platform client; every write carries a request_id derived from the order. */
export function createPaymentClient(settings: PaymentClientSettings): { payments: Payments; close(): void } {
  const client = createServiceClient(PaymentServiceService, {
    service: 'payment', target: settings.target, logger: settings.logger, defaultDeadlineMs: settings.deadlineMs,
    // Every write is keyed by request_id on the payment side, so a resend returns the first result. Authorize is
    // still not resent here: the saga must know whether a failed authorize may have reached the service
    // (an open breaker after a resend would hide that it did), and it resolves the unknown case itself.
    idempotentMethods: ['capturePayment', 'voidPayment', 'refundPayment', 'getPayment', 'listPayments'],
  });

  const payments: Payments = {
    async authorize(input, authorization) {
      const response = await call('payment', () =>
        client.authorizePayment(
          {
            requestId: input.requestId,
            orderId: input.orderId,
            amount: { currencyCode: input.currency, amountMinor: input.amountMinor },
            card: { number: input.card.number, expMonth: input.card.expMonth, expYear: input.card.expYear, cvc: input.card.cvc },
          },
          { authorization },
        ),
      );
      return toView(response.payment);
    },
    async capture(requestId, paymentId, authorization) {
      return toView((await call('payment', () => client.capturePayment({ requestId, paymentId }, { authorization }))).payment);
    },
    async void(requestId, paymentId, authorization) {
      return toView((await call('payment', () => client.voidPayment({ requestId, paymentId }, { authorization }))).payment);
    },
    async refund(requestId, paymentId, reason, authorization) {
      return toView((await call('payment', () => client.refundPayment({ requestId, paymentId, reason }, { authorization }))).payment);
    },
    async listForOrder(orderId, authorization) {
      const views: PaymentView[] = [];
      let pageToken = '';
      do {
        const response = await call('payment', () => client.listPayments({ orderId, pageSize: PAGE_SIZE, pageToken }, { authorization }));
        views.push(...response.payments.map(toView));
        pageToken = response.nextPageToken;
      } while (pageToken !== '');
      return views;
    },
  };
  return { payments, close: () => client.close() };
}

function toView(payment: Payment | undefined): PaymentView {
  if (!payment) throw new Error('The payment service answered without a payment');
  return {
    id: payment.id,
    status: paymentStatusToJSON(payment.status).replace('PAYMENT_STATUS_', '') as PaymentState,
    declineCode: payment.declineCode,
    card: payment.card ? { brand: payment.card.brand, last4: payment.card.last4, expMonth: payment.card.expMonth, expYear: payment.card.expYear } : null,
  };
}
