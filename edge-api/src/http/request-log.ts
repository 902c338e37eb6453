import { trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import type { Logger } from '@shop/platform';

const PROBES = new Set(['/healthz', '/readyz']);

/**
 * One JSON line per request when it completes. Only the path is logged: query strings may carry secrets
 * (a misplaced access_token) that must not reach the logs.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: 'finish' fires outside the request's span, where the logger could no longer see it.
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const route: unknown = req.route?.path;
      const line = {
        request_id: res.locals.requestId,
        ...(traceId ? { trace_id: traceId } : {}),
        method: req.method,
        path: req.path,
        route: typeof route === 'string' ? route : undefined,
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 10) / 10,
        // The client hung up before the answer was written.
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      // Orchestrator probes arrive every few seconds; at info they would drown the lines that matter.
      if (PROBES.has(req.path)) logger.debug(line, 'probe completed');
      else if (res.statusCode >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    };
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}
