import { ProcessorUnavailableError } from '../src/domain/processor';
import { createSimulatedProcessor, TEST_CARDS } from '../src/processor/simulated';

const processor = createSimulatedProcessor({ latencyMs: 0, slowMs: 60_000 });
const amount = { currency: 'USD', amountMinor: 100n };
const authorize = (number: string, signal = new AbortController().signal) =>
  processor.authorize({ idempotencyKey: 'k', amount, card: { number, expMonth: 12, expYear: 2099, cvc: '123' } }, signal);

describe('simulated processor', () => {
  it('approves 4242424242424242 and any other number with a reference', async () => {
    expect(await authorize(TEST_CARDS.approve)).toEqual({ approved: true, reference: expect.stringMatching(/^sim_auth_/) });
    expect(await authorize('5555555555554444')).toMatchObject({ approved: true });
  });

  it('declines the decline cards with their codes', async () => {
    expect(await authorize(TEST_CARDS.cardDeclined)).toEqual({ approved: false, declineCode: 'card_declined' });
    expect(await authorize(TEST_CARDS.insufficientFunds)).toEqual({ approved: false, declineCode: 'insufficient_funds' });
  });

  it('fails the transient card with a retryable error', async () => {
    await expect(authorize(TEST_CARDS.transientFailure)).rejects.toBeInstanceOf(ProcessorUnavailableError);
  });

  it('stops waiting on the slow card when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = authorize(TEST_CARDS.slow, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('answers captures, voids and refunds', async () => {
    const signal = new AbortController().signal;
    await expect(processor.capture({ idempotencyKey: 'c', reference: 'r', amount }, signal)).resolves.toBeUndefined();
    await expect(processor.void({ idempotencyKey: 'v', reference: 'r' }, signal)).resolves.toBeUndefined();
    await expect(processor.refund({ idempotencyKey: 'f', reference: 'r', amount }, signal)).resolves.toBeUndefined();
  });
});
