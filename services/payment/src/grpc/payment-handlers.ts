import { implement, resolvePageSize, type ServiceRegistration } from '@shop/platform';
import { PaymentServiceService } from '@shop/proto/gen/shop/payment/v1/payment';
import type { PaymentService } from '../domain/payment-service';
import { withCallScope } from './call-scope';
import { paymentMessage } from './mapping';
import type { PaymentPageTokens } from './page-tokens';
import { RequestCheck } from './validation';

const PAGE_SIZE = { defaultSize: 20, maxSize: 100 };

/**
 * Translation only. Only other services move money (the order service, with its SERVICE token); admins may read.
 * A customer's token is refused: customers reach payments through their orders. Requests carry card data, so they are never logged here.
 */
export function paymentServiceRegistration(payments: PaymentService, pageTokens: PaymentPageTokens): ServiceRegistration {
  return implement(PaymentServiceService, {
    async authorizePayment(request, ctx) {
      await ctx.requireRole('SERVICE');
      const check = new RequestCheck();
      const requestId = check.requestId(request.requestId);
      const orderId = check.orderId(request.orderId);
      const amount = check.requiredMoney(request.amount, 'amount');
      if (request.card === undefined) check.add('card', 'required');
      check.done();
      const card = request.card ?? { number: '', expMonth: 0, expYear: 0, cvc: '' };
      const payment = await withCallScope(ctx, (scope) => payments.authorize({ requestId, orderId, amount, card }, scope));
      ctx.logger.info({ paymentId: payment.id, orderId, status: payment.status }, 'authorization handled');
      return { payment: paymentMessage(payment) };
    },

    async capturePayment(request, ctx) {
      await ctx.requireRole('SERVICE');
      const check = new RequestCheck();
      const command = {
        requestId: check.requestId(request.requestId),
        paymentId: check.paymentId(request.paymentId),
        amount: check.money(request.amount, 'amount'),
      };
      check.done();
      return { payment: paymentMessage(await withCallScope(ctx, (scope) => payments.capture(command, scope))) };
    },

    async voidPayment(request, ctx) {
      await ctx.requireRole('SERVICE');
      const check = new RequestCheck();
      const command = { requestId: check.requestId(request.requestId), paymentId: check.paymentId(request.paymentId) };
      check.done();
      return { payment: paymentMessage(await withCallScope(ctx, (scope) => payments.void(command, scope))) };
    },

    async refundPayment(request, ctx) {
      await ctx.requireRole('SERVICE');
      const check = new RequestCheck();
      const command = {
        requestId: check.requestId(request.requestId),
        paymentId: check.paymentId(request.paymentId),
        amount: check.money(request.amount, 'amount'),
        reason: check.reason(request.reason),
      };
      check.done();
      return { payment: paymentMessage(await withCallScope(ctx, (scope) => payments.refund(command, scope))) };
    },

    async getPayment(request, ctx) {
      await ctx.requireRole('SERVICE', 'ADMIN');
      const check = new RequestCheck();
      const paymentId = check.paymentId(request.paymentId);
      check.done();
      return { payment: paymentMessage(await payments.get(paymentId)) };
    },

    async listPayments(request, ctx) {
      await ctx.requireRole('SERVICE', 'ADMIN');
      const check = new RequestCheck();
      const orderId = check.orderId(request.orderId);
      check.done();
      const pageSize = resolvePageSize(request.pageSize, PAGE_SIZE);
      const after = pageTokens.decode(request.pageToken, orderId);
      const page = await payments.list(orderId, pageSize, after);
      return {
        payments: page.payments.map(paymentMessage),
        nextPageToken: page.next === undefined ? '' : pageTokens.encode(page.next, orderId),
      };
    },
  });
}
