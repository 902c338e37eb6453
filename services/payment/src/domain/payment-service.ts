import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { DomainError, deadlineExceeded, notFound, unavailable } from '@shop/platform';
import { validateCard, type CardDetails } from './card';
import { cardFingerprint, requestFingerprint } from './fingerprint';
import { runOnce, type ClaimedRequest, type IdempotencySettings, type IdempotentRequest, type OnceResult } from './idempotency';
import { balancesFromLedger } from './ledger';
import type { Money } from './money';
import { claimPaymentForMovement } from './movement-claim';
import { OutcomeUnknownError } from './outcome-unknown';
import { decideCapture, decideRefund, decideVoid, type Movement, type PaymentSnapshot } from './payment-state';
import { ProcessorUnavailableError, type PaymentProcessor } from './processor';
import { AUTHORIZE_OPERATION, type NewLedgerEntry, type PageCursor, type PaymentRecord, type PaymentStore } from './ports';

export interface PaymentRules {
  authorizationTtlMs: number;
  /** Key of the card HMAC inside request fingerprints. */
  cardFingerprintSecret: string;
  idempotency: IdempotencySettings;
  /** How long a movement waits for another movement of the same payment to finish. */
  movementWaitMs: number;
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

/** A movement's two steps around its claim: the decision on the claimed payment, and the processor call. */
interface MovementSteps {
  decide(payment: PaymentRecord): Movement;
  perform(payment: PaymentRecord, movement: Movement): Promise<void>;
}

const amountPart = (amount: Money | undefined) => (amount === undefined ? 'full' : `${amount.amountMinor}`);

/** Pauses before the 2nd and 3rd try of a record statement (a reset connection, a statement timeout). */
const RECORD_RETRY_PAUSES_MS = [50, 200];

/** The answer when the processor may have acted and nothing is recorded yet: retry the same request id. */
const outcomeUnknown = (reason: string, message: string, cause: unknown) =>
  new OutcomeUnknownError(new DomainError(status.UNAVAILABLE, `${message}; retry with the same request_id`, { reason, retryAfterSeconds: 1, cause }), cause);

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

  /**
   * The attempt is recorded (PENDING, with the claim) before the processor is asked, the processor is called
   * outside any database transaction, and the outcome is recorded after: a crash in between leaves a row to
   * reconcile, never an unrecorded hold.
   */
  async authorize(command: AuthorizeCommand, scope: CallScope): Promise<PaymentRecord> {
    const { card, requestId, amount } = command;
    const at = this.now();
    const summary = validateCard(card, at);
    const fingerprint = requestFingerprint({
      operation: AUTHORIZE_OPERATION,
      orderId: command.orderId,
      amount: `${amount.amountMinor}`,
      currency: amount.currency,
      card: cardFingerprint(this.rules.cardFingerprintSecret, card),
    });
    const attempt = { orderId: command.orderId, currency: amount.currency, requestedMinor: amount.amountMinor, card: summary, createdAt: at };
    const request = { requestId, operation: AUTHORIZE_OPERATION, fingerprint, paymentId: randomUUID(), attempt };
    return this.answer(await this.once(request, scope, async ({ paymentId }) => {
      const outcome = await this.callProcessor(
        () => this.processor.authorize({ idempotencyKey: requestId, amount, card }, scope.signal),
        scope.signal,
      );
      const recordedAt = this.now();
      const entry = this.entry(outcome.approved ? 'AUTHORIZATION' : 'DECLINE', amount, requestId, null);
      return this.record(async () => {
        const recorded = await this.store.completeAuthorization(paymentId, requestId, {
          status: outcome.approved ? 'AUTHORIZED' : 'DECLINED',
          declineCode: outcome.approved ? null : outcome.declineCode,
          processorReference: outcome.approved ? outcome.reference : null,
          recordedAt,
          authorizationExpiresAt: new Date(recordedAt.getTime() + this.rules.authorizationTtlMs),
          entry,
        });
        // Null: an earlier try (its answer lost) or another owner of this request (after a lease takeover)
        // recorded the outcome first.
        return recorded ?? this.get(paymentId);
      });
    }));
  }

  async capture(command: CaptureCommand, scope: CallScope): Promise<PaymentRecord> {
    const fingerprint = requestFingerprint({
      operation: 'capture',
      paymentId: command.paymentId,
      amount: amountPart(command.amount),
      currency: command.amount?.currency ?? '',
    });
    return this.move(command, 'capture', fingerprint, scope, null, {
      decide: (payment) => decideCapture(snapshotOf(payment), command.amount, this.now()),
      perform: (payment, movement) =>
        this.processor.capture(
          { idempotencyKey: command.requestId, reference: reference(payment), amount: { currency: payment.currency, amountMinor: movement.amountMinor } },
          scope.signal,
        ),
    });
  }

  async void(command: VoidCommand, scope: CallScope): Promise<PaymentRecord> {
    const fingerprint = requestFingerprint({ operation: 'void', paymentId: command.paymentId });
    return this.move(command, 'void', fingerprint, scope, null, {
      decide: (payment) => decideVoid(snapshotOf(payment)),
      perform: (payment) => this.processor.void({ idempotencyKey: command.requestId, reference: reference(payment) }, scope.signal),
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
    return this.move(command, 'refund', fingerprint, scope, reason, {
      decide: (payment) => decideRefund(snapshotOf(payment), command.amount),
      perform: (payment, movement) =>
        this.processor.refund(
          { idempotencyKey: command.requestId, reference: reference(payment), amount: { currency: payment.currency, amountMinor: movement.amountMinor } },
          scope.signal,
        ),
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

  /**
   * A capture, void or refund: claim the payment (waiting for another movement of it to finish), decide on its
   * ledger, call the processor with no transaction or lock open, then record the movement and release the claim
   * in one statement. A refusal, or a processor failure that decided nothing, releases the claim with the request
   * id; once the processor may have moved money, both are kept until a retry of the same request records it.
   */
  private async move(
    target: { requestId: string; paymentId: string },
    operation: string,
    fingerprint: string,
    scope: CallScope,
    reason: string | null,
    steps: MovementSteps,
  ): Promise<PaymentRecord> {
    const { requestId, paymentId } = target;
    const request = { requestId, operation, fingerprint, paymentId, reserveMovement: true };
    return this.answer(await this.once(request, scope, async ({ lockedUntil, movementReserved }: ClaimedRequest) => {
      if (!movementReserved) {
        const settings = { waitMs: this.rules.movementWaitMs, pollMs: this.rules.idempotency.pollMs };
        await claimPaymentForMovement(this.store, settings, { paymentId, requestId, until: lockedUntil, deadline: scope.deadline }, this.now);
      }
      // Read after the claim: every movement recorded before it is in this ledger, and none can follow until we finish.
      const payment = await this.get(paymentId);
      const movement = steps.decide(payment);
      await this.callProcessor(() => steps.perform(payment, movement), scope.signal);
      const entry = this.entry(movement.kind, { currency: payment.currency, amountMinor: movement.amountMinor }, requestId, reason);
      return this.record(async () => {
        const recorded = await this.store.recordMovement(payment, requestId, movement, entry, this.now());
        if (recorded !== null) return recorded;
        // An earlier try of this statement may have committed and lost its answer: then the ledger has our row.
        const current = await this.get(paymentId);
        if (current.transactions.some((row) => row.requestId === requestId)) return current;
        // The processor call outlived the request's lease and another request claimed the payment. The processor
        // received our request id as its idempotency key, so a retry of this request repeats it safely.
        throw new OutcomeUnknownError(
          unavailable('MOVEMENT_INTERRUPTED', 'The movement could not be recorded in time; retry with the same request_id', 1),
        );
      });
    }));
  }

  private once<T>(request: Omit<IdempotentRequest, 'deadline'>, scope: CallScope, work: (claimed: ClaimedRequest) => Promise<T>) {
    return runOnce(this.store, this.rules.idempotency, { ...request, deadline: scope.deadline }, work, this.now);
  }

  /** The payment a request produced: the one this call recorded, or an earlier call's, read back. */
  private answer(result: OnceResult<PaymentRecord>): Promise<PaymentRecord> {
    return result.kind === 'ran' ? Promise.resolve(result.value) : this.get(result.paymentId);
  }

  private entry(kind: NewLedgerEntry['kind'], amount: Money, requestId: string, reason: string | null): NewLedgerEntry {
    return { id: randomUUID(), kind, amountMinor: amount.amountMinor, currency: amount.currency, requestId, reason };
  }

  /**
   * Records what the processor answered. The processor has acted by now, so a failure here must not release the
   * request: the statement is tried again a couple of times (each is idempotent: it completes only a PENDING attempt
   * or a movement this request still claims), then the request is left for a retry with the same request id.
   */
  private async record(write: () => Promise<PaymentRecord>): Promise<PaymentRecord> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        if (error instanceof OutcomeUnknownError) throw error;
        const pause = RECORD_RETRY_PAUSES_MS[attempt];
        if (pause === undefined || error instanceof DomainError) {
          throw outcomeUnknown('OUTCOME_NOT_RECORDED', 'The card processor answered but its outcome could not be recorded yet', error);
        }
        await sleep(pause);
      }
    }
  }

  /**
   * Only a ProcessorUnavailableError (the processor refused the call) or a call never sent decided nothing: those
   * become retryable statuses and runOnce releases the key. A timeout or any other failure may have been acted on
   * at the processor: the request is kept (OutcomeUnknownError) for a retry with the same request id.
   */
  private async callProcessor<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const timedOut = () => deadlineExceeded('The card processor did not answer in time; retry with the same request_id');
    if (signal.aborted) throw timedOut();
    try {
      return await call();
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) {
        throw unavailable('PROCESSOR_UNAVAILABLE', 'The card processor is temporarily unavailable; retry with the same request_id', 1);
      }
      // The call's own signal ended it (its deadline): the processor may still act on it. Judged by the signal, not
      // by the error's class, which comes from whichever realm made the AbortSignal.
      if (signal.aborted) throw new OutcomeUnknownError(timedOut(), error);
      throw outcomeUnknown('PROCESSOR_OUTCOME_UNKNOWN', 'The card processor call failed without a clear outcome', error);
    }
  }
}

function reference(payment: PaymentRecord): string {
  // Only AUTHORIZED payments carry a reference, and only they (or their captures) reach the processor.
  if (payment.processorReference === null) throw new Error(`payment ${payment.id} has no processor reference`);
  return payment.processorReference;
}
