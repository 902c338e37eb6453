import { ProcessorUnavailableError } from '../src/domain/processor';
import { createSimulatedProcessor, TEST_CARDS } from '../src/processor/simulated';

const processor = createSimulatedProcessor({ latencyMs: 0, slowMs: 60_000 });
const amount = { currency: 'USD', amountMinor: 100n };
let keys = 0;
const authorize = (number: string, signal = new AbortController().signal, idempotencyKey = `k${(keys += 1)}`) =>
  processor.authorize({ idempotencyKey, amount, card: { number, expMonth: 12, expYear: 2099, cvc: '123' } }, signal);

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

  it('is idempotent per key: a repeat gets the first decision, even one whose caller stopped waiting', async () => {
    const first = await authorize(TEST_CARDS.approve, undefined, 'same');
    expect(await authorize(TEST_CARDS.approve, undefined, 'same')).toEqual(first);
    // Decided on arrival: a call abandoned before its answer still approved, and a repeat answers that approval.
    const slow = createSimulatedProcessor({ latencyMs: 0, slowMs: 50 });
    const request = { idempotencyKey: 'slow-key', amount, card: { number: TEST_CARDS.slow, expMonth: 12, expYear: 2099, cvc: '123' } };
    const controller = new AbortController();
    const abandoned = slow.authorize(request, controller.signal);
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    const repeat = await slow.authorize(request, new AbortController().signal);
    expect(repeat).toMatchObject({ approved: true });
    expect(await slow.authorize(request, new AbortController().signal)).toEqual(repeat);
    // A transient refusal decides nothing: the same key may be decided later.
    await expect(authorize(TEST_CARDS.transientFailure, undefined, 'transient')).rejects.toBeInstanceOf(ProcessorUnavailableError);
  });

  it('answers captures, voids and refunds', async () => {
    const signal = new AbortController().signal;
    await expect(processor.capture({ idempotencyKey: 'c', reference: 'r', amount }, signal)).resolves.toBeUndefined();
    await expect(processor.void({ idempotencyKey: 'v', reference: 'r' }, signal)).resolves.toBeUndefined();
    await expect(processor.refund({ idempotencyKey: 'f', reference: 'r', amount }, signal)).resolves.toBeUndefined();
  });
});
