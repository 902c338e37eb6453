import type { ErrorRequestHandler } from 'express';
import { DomainError, isRemoteServiceError, parseServiceError, problemFromRemoteError, type Logger, type RemoteError } from '@shop/platform';
import { HttpError, sendProblem } from './problem';

/** body-parser marks its failures with a `type`; these are the client's fault, not ours. */
interface BodyParserError {
  type: string;
  status: number;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  error instanceof Error &&
  typeof (error as Partial<BodyParserError>).type === 'string' &&
  typeof (error as Partial<BodyParserError>).status === 'number';

function fromBodyParser(error: BodyParserError): HttpError {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'INVALID_ARGUMENT', 'The request body is not valid JSON', { reason: 'MALFORMED_JSON' });
    case 'entity.too.large':
      return new HttpError(413, 'INVALID_ARGUMENT', 'The request body is too large', { reason: 'BODY_TOO_LARGE' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'INVALID_ARGUMENT', 'The request body encoding is not supported', { reason: 'UNSUPPORTED_ENCODING' });
    default:
      return new HttpError(400, 'INVALID_ARGUMENT', 'The request body could not be read', { reason: 'BAD_BODY' });
  }
}

const remoteFromDomainError = (error: DomainError): RemoteError => ({
  code: error.code,
  message: error.message,
  reason: error.reason,
  domain: 'shop',
  metadata: error.metadata,
  fieldViolations: error.fieldViolations,
  retryAfterSeconds: error.retryAfterSeconds,
});

const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/** Public JSON is camelCase, including ErrorInfo metadata keys some services write in snake_case (product_ids). */
const camelCaseKeys = (metadata: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(metadata).map(([key, value]) => [camelCase(key), value]));

/**
 * The one place HTTP errors are written: every failure becomes RFC 9457 problem+json. gRPC failures go through
 * the platform's single gRPC->HTTP table; anything unexpected is logged here and answered without internals.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a problem document; let express close the connection.
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      sendProblem(res, error.toProblem(), error.headers);
      return;
    }
    if (isBodyParserError(error)) {
      sendProblem(res, fromBodyParser(error).toProblem());
      return;
    }
    if (error instanceof URIError) {
      // The router could not percent-decode a path parameter: the client sent a malformed URL.
      sendProblem(res, new HttpError(400, 'INVALID_ARGUMENT', 'The request path is not valid percent-encoding', { reason: 'MALFORMED_PATH' }).toProblem());
      return;
    }
    const remote = isRemoteServiceError(error) ? parseServiceError(error) : error instanceof DomainError ? remoteFromDomainError(error) : undefined;
    if (remote) {
      const problem = problemFromRemoteError(remote);
      if (problem.status >= 500) {
        logger.warn({ request_id: res.locals.requestId, grpc_code: remote.code, reason: remote.reason, path: req.path }, 'upstream call failed');
      }
      if (problem.body.metadata) problem.body.metadata = camelCaseKeys(problem.body.metadata);
      const headers: Record<string, string> = problem.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(problem.retryAfterSeconds) };
      if (problem.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="shop"';
      sendProblem(res, problem.body, headers);
      return;
    }
    logger.error({ request_id: res.locals.requestId, err: error, path: req.path }, 'unexpected error');
    sendProblem(res, { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred', code: 'INTERNAL' });
  };
}
