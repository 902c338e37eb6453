import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import type { AnyMethodDefinition } from './method-types';

/** The messages of a server-streaming call. Iterating throws the call's error if it ends with one. */
export interface ResponseStream<Res> extends AsyncIterable<Res> {
  /** Ends the call; iteration then stops with a CANCELLED error. */
  cancel(): void;
}

/**
 * Starts a server-streaming call and settles once its first message arrives (that message is still the first one
 * iterated), or rejects with the call's error if it ends before any. Settling on the first message is what lets a
 * breaker judge a stream: a call that answered is a healthy callee, whatever happens to the stream later.
 */
export function openResponseStream(
  channel: Client,
  method: AnyMethodDefinition,
  request: unknown,
  metadata: Metadata,
  deadline: number,
): Promise<ResponseStream<unknown>> {
  const call = channel.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline });
  // A Readable's own async iterator: it listens for 'error' from the start, so nothing is unhandled between reads.
  const messages: AsyncIterator<unknown> = call[Symbol.asyncIterator]();
  return messages.next().then((first) => {
    // Ending OK before any message confirms nothing: to the caller and its breaker, the callee did not answer.
    if (first.done) throw endedEarly(method.path);
    let firstPending = true;
    return {
      cancel: () => call.cancel(),
      [Symbol.asyncIterator]: (): AsyncIterator<unknown> => ({
        next: () => {
          if (!firstPending) return messages.next();
          firstPending = false;
          return Promise.resolve(first);
        },
        return: (value?: unknown) => {
          call.cancel();
          return Promise.resolve({ done: true as const, value });
        },
      }),
    };
  });
}

function endedEarly(path: string): ServiceError {
  const details = `${path} ended before its first message`;
  return Object.assign(new Error(details), { code: status.UNAVAILABLE, details, metadata: new Metadata() });
}
