import { randomUUID } from 'node:crypto';
import { failure, status, type CallSettings, type Harness } from './support';

/**
 * The deadlines of the tries, growing: only the service's signal, fired by the caller's deadline, stops a processor
 * call (a unary handler does not see a cancel), so giving up is a deadline chosen in advance. The deadline may pass
 * before the service reaches the processor (a loaded machine, a slow token check or claim); that try then proves
 * nothing and a longer one follows. Every try's processor call must outlast the longest of them.
 */
const DEADLINES_MS = [300, 1_200, 4_800];

interface KeyRow extends Record<string, unknown> {
  state: string;
  locked_until: Date;
}

/**
 * Sends a request (from `fresh`) whose caller gives up while the service waits on the processor, and returns it
 * once the service has answered DEADLINE_EXCEEDED and holds the request: its key IN_PROGRESS with the lease cut to
 * now, for a retry of the same request id. A try whose deadline passed before the processor call must have released
 * the request (no key left); then another, fresh request (its own payment, so a late try cannot interfere) gets a
 * longer deadline. The service must run `call` against a processor that does not answer before the deadlines.
 */
export async function giveUpDuringProcessorCall<R extends { requestId: string }>(
  harness: Harness,
  fresh: () => Promise<R>,
  call: (request: R, settings: CallSettings) => Promise<unknown>,
): Promise<R> {
  const tries: string[] = [];
  for (const deadlineMs of DEADLINES_MS) {
    const request = await fresh();
    const callId = `give-up-${randomUUID()}`;
    const error = await failure(call(request, { deadlineMs, callId }));
    if (error.code !== status.DEADLINE_EXCEEDED) throw new Error(`expected DEADLINE_EXCEEDED, got ${status[error.code]} ${error.reason ?? ''}`);
    const key = await settledKey(harness, callId, request.requestId);
    if (key !== undefined && key.state === 'IN_PROGRESS' && key.locked_until.getTime() <= Date.now()) return request;
    // Not held: only a request the service never took to the processor may be left without a key.
    if (key !== undefined) throw new Error(`after a ${deadlineMs} ms deadline the request is neither held nor released: ${JSON.stringify(key)}`);
    tries.push(`${deadlineMs} ms: not held, no key`);
  }
  // Either every deadline passed before the processor call, or the service releases a request whose processor
  // call it abandoned (the bug this guards against).
  throw new Error(`no try left its request held for a retry: ${tries.join('; ')}`);
}

const keyOf = async (harness: Harness, requestId: string): Promise<KeyRow | undefined> =>
  (await harness.query<KeyRow>('SELECT state::text AS state, locked_until FROM idempotency_keys WHERE request_id = $1', [requestId]))[0];

/**
 * The request's key once the server is done with the call: everything it writes (hold or release) precedes its
 * answer's log line. A call whose deadline passed before its message was read is dropped by grpc-js without running
 * the handler: no answer is logged then, and no key is left (a handler that is merely late only works on this try's
 * own request, which is abandoned).
 */
async function settledKey(harness: Harness, callId: string, requestId: string): Promise<KeyRow | undefined> {
  for (let waits = 0; waits < 4; waits += 1) {
    if (await harness.answered(callId, 5_000)) return keyOf(harness, requestId);
    const key = await keyOf(harness, requestId);
    if (key === undefined) return undefined;
  }
  throw new Error(`the server did not answer call ${callId} within 20 s of its deadline`);
}
