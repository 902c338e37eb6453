import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Link } from '@opentelemetry/api';
import { currentRequestContext, runWithRequestContext, type Logger, type RequestContext } from '@shop/platform';
import { failureLogFields } from '../failure-log-fields';
import type { BatchScope } from './batch-loader';

/** Where one request stood when it asked for a read that is sent together with others. */
export interface BatchMember {
  trace: Context;
  request: RequestContext | undefined;
}

export const captureBatchMember = (): BatchMember => ({ trace: context.active(), request: currentRequestContext() });

const tracer = trace.getTracer('edge-api');

/** The span attribute giving how many requests one batched call served. */
export const ATTR_BATCH_SIZE = 'shop.batch.size';
/** The request id a shared call sends (as the edge's route spans name theirs): the product service logs it. */
export const ATTR_REQUEST_ID = 'shop.request_id';

/**
 * Runs one call made on behalf of several requests.
 *
 * For a single request (every read when the edge is not busy) the call runs in that request's own trace and request
 * context, exactly as if it had not been gathered. For several, it runs in a span of its own, child of the first
 * sampled request's span, that links to every request's span (and, when recorded, each of those links back to it),
 * so every request's trace leads to the call that served it. The call gets a request id of its own rather than
 * borrowing one request's (on the span, to find the product service's log lines), and the latest deadline of the
 * requests it serves: a request with an earlier one may wait past it. The edge sets no deadline on its requests'
 * contexts (each call gets the client's), so this only matters to a caller that does.
 * When a shared call fails, `logger` gets one warn line with its request id and those of the requests it failed:
 * each of them logs only its own, and the product service only the shared one.
 */
export function runForBatch<T>(name: string, members: readonly BatchMember[], call: () => Promise<T>, logger?: Logger): Promise<T> {
  const [first] = members;
  if (first === undefined) return Promise.reject(new Error('A batch needs at least one member'));
  if (members.length === 1) {
    return context.with(first.trace, () => (first.request ? runWithRequestContext(first.request, call) : call()));
  }

  const links: Link[] = [];
  for (const member of members) {
    const span = trace.getSpan(member.trace);
    if (span) links.push({ context: span.spanContext() });
  }
  // Under the first sampled request: a parent-based sampler would otherwise drop the call's spans (here and in the
  // product service) whenever the first request happened not to be sampled, and with them every sampled one's.
  const parent = members.find((member) => isSampled(member.trace)) ?? first;
  const request: RequestContext = { requestId: randomUUID(), deadline: latestDeadline(members) };
  const span = tracer.startSpan(
    name,
    { kind: SpanKind.INTERNAL, links, attributes: { [ATTR_BATCH_SIZE]: members.length, [ATTR_REQUEST_ID]: request.requestId } },
    parent.trace,
  );
  if (span.isRecording()) {
    for (const member of members) trace.getSpan(member.trace)?.addLink({ context: span.spanContext() });
  }
  let settled: Promise<T>;
  try {
    settled = context.with(trace.setSpan(parent.trace, span), () => runWithRequestContext(request, call));
  } catch (error) {
    // A call that throws instead of rejecting still ends its span.
    settled = Promise.reject(error);
  }
  return settled.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      const failure = failureLogFields(error);
      // Refused before it was sent (an open breaker, a deadline already passed): the product service never saw
      // the request id, and during an outage that would be a line per batch.
      if (logger && !NOT_SENT_REASONS.has(failure.reason)) {
        const served = [...new Set(members.flatMap((member) => (member.request?.requestId === undefined ? [] : [member.request.requestId])))];
        logger.warn(
          {
            request_id: request.requestId,
            served_request_ids: served.slice(0, MAX_LOGGED_REQUEST_IDS),
            served_requests: members.length,
            ...failure,
          },
          `${name} failed for every request it served`,
        );
      }
      throw error;
    },
  );
}

/** Reasons of a call refused before it was sent (see the platform client). */
const NOT_SENT_REASONS = new Set<unknown>(['CIRCUIT_OPEN', 'DEADLINE_EXCEEDED']);
/** A read per waiting request: a hot product can be asked by many at once; the line names the first ones. */
const MAX_LOGGED_REQUEST_IDS = 50;

/** The edge's scope of a gathered read: each request's trace and request context (see runForBatch). */
export const requestBatchScope = (name: string, logger?: Logger): BatchScope<BatchMember> => ({
  capture: captureBatchMember,
  run: (members, call) => runForBatch(name, members, call, logger),
});

const isSampled = (member: Context): boolean => {
  const span = trace.getSpan(member);
  return span !== undefined && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
};

/** Undefined unless every member has a deadline: a member without one must not be cut short by another's. */
function latestDeadline(members: readonly BatchMember[]): number | undefined {
  let latest = 0;
  for (const member of members) {
    const deadline = member.request?.deadline;
    if (deadline === undefined) return undefined;
    if (deadline > latest) latest = deadline;
  }
  return latest;
}
