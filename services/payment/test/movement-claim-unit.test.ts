import { status } from '@grpc/grpc-js';
import { DomainError } from '@shop/platform';
import { claimPaymentForMovement } from '../src/domain/movement-claim';
import type { MovementReservation, PaymentStore } from '../src/domain/ports';

/** A store whose reserveMovement answers from a script; nothing else is used. */
function scriptedStore(answers: MovementReservation['kind'][]): { store: PaymentStore; calls: () => number } {
  let calls = 0;
  const reserveMovement = async (): Promise<MovementReservation> => {
    const kind = answers[Math.min(calls, answers.length - 1)] ?? 'busy';
    calls += 1;
    return { kind };
  };
  return { store: { reserveMovement } as unknown as PaymentStore, calls: () => calls };
}

const request = { paymentId: 'p1', requestId: 'r1', until: new Date(0), deadline: undefined };

describe('claimPaymentForMovement', () => {
  it('waits while another movement holds the payment, then claims it', async () => {
    const { store, calls } = scriptedStore(['busy', 'busy', 'reserved']);
    await claimPaymentForMovement(store, { waitMs: 60_000, pollMs: 1 }, request, () => new Date());
    expect(calls()).toBe(3);
  });

  it('is NOT_FOUND for a payment that does not exist', async () => {
    const { store } = scriptedStore(['not_found']);
    const error = await claimPaymentForMovement(store, { waitMs: 60_000, pollMs: 1 }, request, () => new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(status.NOT_FOUND);
  });

  it('gives up with ABORTED REQUEST_IN_PROGRESS when the wait (or the caller\'s deadline) would be exceeded', async () => {
    // A clock that advances 40 ms per reading: the 100 ms wait is spent after a few polls, whatever the machine.
    let clock = 0;
    const now = () => new Date((clock += 40));
    for (const settings of [
      { limits: { waitMs: 100, pollMs: 1 }, deadline: undefined },
      { limits: { waitMs: 60_000, pollMs: 1 }, deadline: 100 },
    ]) {
      clock = 0;
      const { store, calls } = scriptedStore(['busy']);
      const error = await claimPaymentForMovement(store, settings.limits, { ...request, deadline: settings.deadline }, now).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(status.ABORTED);
      expect((error as DomainError).reason).toBe('REQUEST_IN_PROGRESS');
      expect(calls()).toBeLessThan(5);
    }
  });
});
