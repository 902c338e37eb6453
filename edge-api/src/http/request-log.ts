import { trace } from '@opentelemetry/api';
import type { Request, Response } from 'express';
import type { Logger } from '@shop/platform';

const PROBES = new Set(['/healthz', '/readyz']);

type LineLevel = 'debug' | 'info' | 'error';

/**
 * One JSON line per request when it completes. Only the path is logged: query strings may carry secrets
 * (a misplaced access_token) that must not reach the logs. Returns what to call once per request, first thing.
 */
export function requestLog(logger: Logger): (req: Request, res: Response) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    // Read now: 'close' fires outside the request's span, where the logger could no longer see it.
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    // 'close' alone: it follows 'finish' on every response, and also covers clients that hang up first.
    res.once('close', () => {
      // Orchestrator probes arrive every few seconds; at info they would drown the lines that matter.
      const probe = PROBES.has(req.path);
      const level: LineLevel = probe ? 'debug' : res.statusCode >= 500 ? 'error' : 'info';
      // The line is only built when it will be written (the bench runs at warn).
      if (!logger.isLevelEnabled(level)) return;
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
      logger[level](line, probe ? 'probe completed' : level === 'error' ? 'request failed' : 'request completed');
    });
  };
}
