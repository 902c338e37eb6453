import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { runWithRequestContext, type Logger } from '@shop/platform';
import { assignRequestId } from './request-id';
import { requestLog } from './request-log';

/** A handler that runs inside the request scope; it answers, calls next, or throws synchronously. */
export type ScopedHandler = (req: Request, res: Response, next: (error?: unknown) => void) => void;

export interface RequestScope {
  /** Runs a handler inside the scope: id, log line, nosniff, parsed JSON body, request context. */
  around(handler: ScopedHandler): RequestHandler;
  /** Error middleware for failures raised before any handler ran (the router failing to decode a path). */
  errors: ErrorRequestHandler;
}

/**
 * Whether body-parser would read a body at all (type-is's hasBody): any Transfer-Encoding or Content-Length,
 * even "0" (an empty JSON body parses to {}). Without either the parser only skips, so it is not called.
 */
const mayHaveBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;

// A module-level function rather than a closure per request: the bundles keep function names (esbuild
// keepNames), which costs a defineProperty for every named closure created.
function runInContext(requestId: string, handler: ScopedHandler, req: Request, res: Response, next: NextFunction): void {
  try {
    runWithRequestContext({ requestId }, () => handler(req, res, next));
  } catch (error) {
    // Also a throw from inside the body parser's callback, where express would not catch it.
    next(error);
  }
}

/**
 * What every request gets: request id, the request log line, nosniff, the JSON body (when there is one) and the
 * request context. It wraps each route's handler and the unknown-route fallback instead of being an app-level
 * middleware: every express layer costs a router step and, with tracing on, a span of its own, and this way a
 * read goes through a single layer.
 */
export function createRequestScope(logger: Logger, parseJson: RequestHandler): RequestScope {
  const log = requestLog(logger);
  const open = (req: Request, res: Response): string => {
    const opened: unknown = res.locals.requestId;
    if (typeof opened === 'string') return opened;
    const requestId = assignRequestId(req, res);
    log(req, res);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return requestId;
  };
  return {
    around: (handler) => (req, res, next) => {
      const requestId = open(req, res);
      if (!mayHaveBody(req)) {
        runInContext(requestId, handler, req, res, next);
        return;
      }
      // The context is entered after the body parser: its stream callbacks would otherwise run outside it.
      void parseJson(req, res, (error?: unknown) => (error === undefined ? runInContext(requestId, handler, req, res, next) : next(error)));
    },
    errors: (error: unknown, req, res, next) => {
      open(req, res);
      next(error);
    },
  };
}
