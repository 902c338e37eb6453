/**
 * A failure after the card processor may have acted (it answered and the answer was not recorded, or the call
 * timed out or broke mid-way). Such a request must not be released: its idempotency key stays IN_PROGRESS, with
 * its PENDING attempt or movement claim, so only a retry of the same request id (which the processor answers
 * idempotently) can settle it, and no other request decides on a ledger that lacks this movement.
 */
export class OutcomeUnknownError extends Error {
  /** What the caller is answered: a retriable status (the original database or deadline error, usually). */
  readonly answer: unknown;

  constructor(answer: unknown, cause?: unknown) {
    super('The processor may have acted on a request whose outcome is not recorded', { cause: cause ?? answer });
    this.name = 'OutcomeUnknownError';
    this.answer = answer;
  }
}
