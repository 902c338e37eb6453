import { Metadata, status, type Client, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { clientSpanMethod, endClientSpan, startClientSpan, streamStatusError, type ClientSpanMethod } from '../telemetry/client-span';
import { cancelOnAbort, type CallAction } from './call-breaker';
import type { AnyMethodDefinition } from './method-types';

/** The messages of a server-streaming call. Iterating throws the call's error if it ends with one. */
export interface ResponseStream<Res> extends AsyncIterable<Res> {
  /** Ends the call; iteration then stops with a CANCELLED error. */
  cancel(): void;
}

/**
 * The action of a server-streaming method: openResponseStream on `channel`, with what its CLIENT span needs settled
 * once per method.
 */
export function serverStreamCallAction(channel: Client, method: AnyMethodDefinition): CallAction<ResponseStream<unknown>> {
  const spanMethod = clientSpanMethod(method.path, channel.getChannel().getTarget());
  return (request, metadata, deadline, _attempt, signal) => openResponseStream(channel, method, request, metadata, deadline, spanMethod, signal);
}

/**
 * Starts a server-streaming call and settles once its first message arrives (that message is still the first one
 * iterated), or rejects with the call's error if it ends before any. Settling on the first message is what lets a
 * breaker judge a stream: a call that answered is a healthy callee, whatever happens to the stream later.
 * The call's CLIENT span covers the whole stream: it ends with the call's final status, the error it ended with, or
 * CANCELLED without an error status when the caller cancelled it (a watcher that renews its stream is no failure);
 * a stream that ended before its first message records the UNAVAILABLE its caller got.
 * Aborting `signal` cancels the call as cancel() does, also while the first message is awaited (the open then
 * rejects with CANCELLED).
 */
export function openResponseStream(
  channel: Client,
  method: AnyMethodDefinition,
  request: unknown,
  metadata: Metadata,
  deadline: number,
  spanMethod: ClientSpanMethod = clientSpanMethod(method.path, channel.getChannel().getTarget()),
  signal?: AbortSignal,
): Promise<ResponseStream<unknown>> {
  const span = startClientSpan(spanMethod, metadata);
  let call: ReturnType<Client['makeServerStreamRequest']>;
  try {
    call = channel.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline });
  } catch (error) {
    endClientSpan(span, error instanceof Error ? error : { message: String(error) });
    throw error;
  }
  // A Readable's own async iterator: it listens for 'error' from the start, so nothing is unhandled between reads.
  const messages: AsyncIterator<unknown> = call[Symbol.asyncIterator]();
  const firstMessage = messages.next();
  let cancelledByCaller = false;
  const cancel = () => {
    cancelledByCaller = true;
    call.cancel();
  };
  const stopListening = cancelOnAbort(signal, cancel);
  // grpc-js emits 'status' once, last, whatever ended the call (after 'error' when it failed).
  call.on('status', ({ code, details }: StatusObject) => {
    stopListening();
    if (code === status.OK) {
      // The status can come before the first read settles: whether a message came first is known from that read.
      firstMessage.then(
        (first) => endClientSpan(span, first.done ? endedEarly(method.path) : undefined),
        (error: unknown) => endClientSpan(span, error instanceof Error ? error : { message: String(error) }),
      );
    } else if (code === status.CANCELLED && cancelledByCaller) {
      endClientSpan(span, undefined, code);
    } else {
      endClientSpan(span, streamStatusError(code, details));
    }
  });
  return firstMessage.then((first) => {
    // Ending OK before any message confirms nothing: to the caller and its breaker, the callee did not answer.
    if (first.done) throw endedEarly(method.path);
    let firstPending = true;
    return {
      cancel,
      [Symbol.asyncIterator]: (): AsyncIterator<unknown> => ({
        next: () => {
          if (!firstPending) return messages.next();
          firstPending = false;
          return Promise.resolve(first);
        },
        return: (value?: unknown) => {
          cancel();
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
