import { randomUUID } from 'node:crypto';
import { deadlineExceeded, notFound, unavailable } from '@shop/platform';
import { validateCard, type CardDetails } from './card';
import { cardFingerprint, requestFingerprint } from './fingerprint';
import { runOnce, type IdempotencySettings } from './idempotency';
import { balancesFromLedger } from './ledger';
import type { Money } from './money';
import { decideCapture, decideRefund, decideVoid, type Movement, type PaymentSnapshot } from './payment-state';
import { ProcessorUnavailableError, type PaymentProcessor } from './processor';
import type { NewLedgerEntry, PageCursor, PaymentRecord, PaymentStore } from './ports';

export interface PaymentRules {
  authorizationTtlMs: number;
  /** Key of the card HMAC inside request fingerprints. */
  cardFingerprintSecret: string;
  idempotency: IdempotencySettings;
}

/** Per call: when the caller stops waiting, and the signal that cancels processor work at that point. */
export interface CallScope {
  deadline: number | undefined;
  signal: AbortSignal;
}

export interface AuthorizeCommand {
  requestId: string;
  orderId: string;
  amount: Money;
  card: CardDetails;
}

export interface CaptureCommand {
  requestId: string;
  paymentId: string;
  amount: Money | undefined;
}

export interface VoidCommand {
  requestId: string;
  paymentId: string;
}

export interface RefundCommand {
  requestId: string;
  paymentId: string;
  amount: Money | undefined;
  reason: string;
}

export const snapshotOf = (payment: PaymentRecord): PaymentSnapshot => ({
  id: payment.id,
  status: payment.status,
  currency: payment.currency,
  authorizationExpiresAt: payment.authorizationExpiresAt,
  ...balancesFromLedger(payment.transactions),
});

const amountPart = (amount: Money | undefined) => (amount === undefined ? 'full' : `${amount.amountMinor}`);

/**
 * The payment lifecycle: validates, asks the processor, applies the state machine and records every movement
 * in the ledger, each write exactly once per request id.
 */
export class PaymentService {
  constructor(
    private readonly store: PaymentStore,
    private readonly processor: PaymentProcessor,
    private readonly rules: PaymentRules,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authorize(command: AuthorizeCommand, scope: CallScope): Promise<PaymentRecord> {
    const card = command.card;
    const summary = validateCard(card, this.now());
    const fingerprint = requestFingerprint({
      operation: 'authorize',
      orderId: command.orderId,
      amount: `${command.amount.amountMinor}`,
      currency: command.amount.currency,
      card: cardFingerprint(this.rules.cardFingerprintSecret, card),
    });
    const paymentId = await this.once(command.requestId, 'authorize', fingerprint, scope, async () => {
      const outcome = await this.callProcessor(() =>
        this.processor.authorize({ idempotencyKey: command.requestId, amount: command.amount, card }, scope.signal),
      );
      const id = randomUUID();
      const createdAt = this.now();
      await this.store.createPayment(
        {
          id,
          orderId: command.orderId,
          status: outcome.approved ? 'AUTHORIZED' : 'DECLINED',
          currency: command.amount.currency,
          requestedMinor: command.amount.amountMinor,
          card: summary,
          declineCode: outcome.approved ? null : outcome.declineCode,
          processorReference: outcome.approved ? outcome.reference : null,
          authorizationExpiresAt: new Date(createdAt.getTime() + this.rules.authorizationTtlMs),
          createdAt,
          entry: this.entry(outcome.approved ? 'AUTHORIZATION' : 'DECLINE', command.amount, command.requestId, null),
        },
        command.requestId,
      );
      return id;
    });
    return this.get(paymentId);
  }

  async capture(command: CaptureCommand, scope: CallScope): Promise<PaymentRecord> {
    const fingerprint = requestFingerprint({
      operation: 'capture',
      paymentId: command.paymentId,
      amount: amountPart(command.amount),
      currency: command.amount?.currency ?? '',
    });
    return this.move(command.requestId, command.paymentId, 'capture', fingerprint, scope, null, async (payment) => {
      const movement = decideCapture(snapshotOf(payment), command.amount, this.now());
      await this.callProcessor(() =>
        this.processor.capture(
          { idempotencyKey: command.requestId, reference: reference(payment), amount: { currency: payment.currency, amountMinor: movement.amountMinor } },
          scope.signal,
        ),
      );
      return movement;
    });
  }

  async void(command: VoidCommand, scope: CallScope): Promise<PaymentRecord> {
    const fingerprint = requestFingerprint({ operation: 'void', paymentId: command.paymentId });
    return this.move(command.requestId, command.paymentId, 'void', fingerprint, scope, null, async (payment) => {
      const movement = decideVoid(snapshotOf(payment));
      await this.callProcessor(() =>
        this.processor.void({ idempotencyKey: command.requestId, reference: reference(payment) }, scope.signal),
      );
      return movement;
    });
  }

  async refund(command: RefundCommand, scope: CallScope): Promise<PaymentRecord> {
    const fingerprint = requestFingerprint({
      operation: 'refund',
      paymentId: command.paymentId,
      amount: amountPart(command.amount),
      currency: command.amount?.currency ?? '',
      reason: command.reason,
    });
    const reason = command.reason === '' ? null : command.reason;
    return this.move(command.requestId, command.paymentId, 'refund', fingerprint, scope, reason, async (payment) => {
      const movement = decideRefund(snapshotOf(payment), command.amount);
      await this.callProcessor(() =>
        this.processor.refund(
          { idempotencyKey: command.requestId, reference: reference(payment), amount: { currency: payment.currency, amountMinor: movement.amountMinor } },
          scope.signal,
        ),
      );
      return movement;
    });
  }

  async get(paymentId: string): Promise<PaymentRecord> {
    const payment = await this.store.findPayment(paymentId);
    if (payment === null) throw notFound('No such payment', { paymentId });
    return payment;
  }

  /** One page of an order's payments and the cursor of the next page, if any. */
  async list(orderId: string, pageSize: number, after: PageCursor | undefined): Promise<{ payments: PaymentRecord[]; next: PageCursor | undefined }> {
    const rows = await this.store.listPayments(orderId, pageSize + 1, after);
    const payments = rows.slice(0, pageSize);
    const last = payments[payments.length - 1];
    const next = rows.length > pageSize && last !== undefined ? { createdAt: last.createdAt, id: last.id } : undefined;
    return { payments, next };
  }

  private async move(
    requestId: string,
    paymentId: string,
    operation: string,
    fingerprint: string,
    scope: CallScope,
    reason: string | null,
    decide: (payment: PaymentRecord) => Promise<Movement>,
  ): Promise<PaymentRecord> {
    await this.once(requestId, operation, fingerprint, scope, async () => {
      const found = await this.store.recordMovement(paymentId, requestId, async (payment) => {
        const movement = await decide(payment);
        const amount = { currency: payment.currency, amountMinor: movement.amountMinor };
        return { movement, entry: this.entry(movement.kind, amount, requestId, reason) };
      });
      if (!found) throw notFound('No such payment', { paymentId });
      return paymentId;
    });
    return this.get(paymentId);
  }

  private once(requestId: string, operation: string, fingerprint: string, scope: CallScope, work: () => Promise<string>) {
    return runOnce(this.store, this.rules.idempotency, { requestId, operation, fingerprint, deadline: scope.deadline }, work, this.now);
  }

  private entry(kind: NewLedgerEntry['kind'], amount: Money, requestId: string, reason: string | null): NewLedgerEntry {
    return { id: randomUUID(), kind, amountMinor: amount.amountMinor, currency: amount.currency, requestId, reason };
  }

  /** Processor failures that decided nothing become retryable statuses; the key is released by runOnce. */
  private async callProcessor<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) {
        throw unavailable('PROCESSOR_UNAVAILABLE', 'The card processor is temporarily unavailable; retry with the same request_id', 1);
      }
      if (error instanceof Error && error.name === 'AbortError') {
        throw deadlineExceeded('The card processor did not answer in time; retry with the same request_id');
      }
      throw error;
    }
  }
}

function reference(payment: PaymentRecord): string {
  // Only AUTHORIZED payments carry a reference, and only they (or their captures) reach the processor.
  if (payment.processorReference === null) throw new Error(`payment ${payment.id} has no processor reference`);
  return payment.processorReference;
}
