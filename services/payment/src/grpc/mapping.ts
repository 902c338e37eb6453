import type { Money as MoneyMessage } from '@shop/proto/gen/shop/common/v1/money';
import {
  PaymentStatus as PaymentStatusMessage,
  PaymentTransactionKind,
  type Payment,
  type PaymentTransaction,
} from '@shop/proto/gen/shop/payment/v1/payment';
import { balancesFromLedger, type LedgerEntry } from '../domain/ledger';
import type { PaymentStatus, TransactionKind } from '../domain/payment-state';
import type { PaymentRecord } from '../domain/ports';

const STATUS: Readonly<Record<PaymentStatus, PaymentStatusMessage>> = {
  AUTHORIZED: PaymentStatusMessage.PAYMENT_STATUS_AUTHORIZED,
  CAPTURED: PaymentStatusMessage.PAYMENT_STATUS_CAPTURED,
  PARTIALLY_REFUNDED: PaymentStatusMessage.PAYMENT_STATUS_PARTIALLY_REFUNDED,
  REFUNDED: PaymentStatusMessage.PAYMENT_STATUS_REFUNDED,
  VOIDED: PaymentStatusMessage.PAYMENT_STATUS_VOIDED,
  DECLINED: PaymentStatusMessage.PAYMENT_STATUS_DECLINED,
  FAILED: PaymentStatusMessage.PAYMENT_STATUS_FAILED,
};

const KIND: Readonly<Record<TransactionKind, PaymentTransactionKind>> = {
  AUTHORIZATION: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_AUTHORIZATION,
  CAPTURE: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_CAPTURE,
  VOID: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_VOID,
  REFUND: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_REFUND,
  DECLINE: PaymentTransactionKind.PAYMENT_TRANSACTION_KIND_DECLINE,
};

const moneyMessage = (currency: string, amountMinor: bigint): MoneyMessage => ({ currencyCode: currency, amountMinor });

const transactionMessage = (entry: LedgerEntry): PaymentTransaction => ({
  id: entry.id,
  kind: KIND[entry.kind],
  amount: moneyMessage(entry.currency, entry.amountMinor),
  requestId: entry.requestId,
  createTime: entry.createdAt,
});

/** The wire form of a payment; its balances are computed from the ledger it carries. */
export function paymentMessage(payment: PaymentRecord): Payment {
  const balances = balancesFromLedger(payment.transactions);
  return {
    id: payment.id,
    orderId: payment.orderId,
    status: STATUS[payment.status],
    authorizedAmount: moneyMessage(payment.currency, balances.authorizedMinor),
    capturedAmount: moneyMessage(payment.currency, balances.capturedMinor),
    refundedAmount: moneyMessage(payment.currency, balances.refundedMinor),
    card: { ...payment.card },
    declineCode: payment.declineCode ?? '',
    authorizationExpireTime: payment.status === 'DECLINED' ? undefined : payment.authorizationExpiresAt,
    createTime: payment.createdAt,
    updateTime: payment.updatedAt,
    transactions: payment.transactions.map(transactionMessage),
  };
}
