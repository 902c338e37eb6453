import type { Response } from 'express';
import { httpTitle, type ProblemDetails } from '@shop/platform';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

// Statuses only the edge produces (the platform table covers those that come from gRPC codes).
const EDGE_TITLES: Record<number, string> = { 405: 'Method Not Allowed', 413: 'Content Too Large', 415: 'Unsupported Media Type' };

export const titleFor = (status: number): string => EDGE_TITLES[status] ?? httpTitle(status);

export interface FieldError {
  field: string;
  description: string;
}

interface HttpErrorOptions {
  reason?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/**
 * A failure the edge decides on itself (validation, authentication, routing). Its message is written for the
 * client; anything that is neither this nor a gRPC error is answered as a generic 500.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly reason: string | undefined;
  readonly errors: FieldError[];
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.reason = options.reason;
    this.errors = options.errors ?? [];
    this.headers = options.headers ?? {};
  }

  toProblem(): ProblemDetails {
    const body: ProblemDetails = {
      type: 'about:blank',
      title: titleFor(this.status),
      status: this.status,
      detail: this.message,
      code: this.code,
    };
    if (this.reason) body.reason = this.reason;
    if (this.errors.length > 0) body.errors = this.errors;
    return body;
  }
}

export const validationFailed = (errors: FieldError[], message = 'The request is not valid', reason = 'VALIDATION_FAILED') =>
  new HttpError(400, 'INVALID_ARGUMENT', message, { reason, errors });

export const unauthorized = (message: string, reason = 'UNAUTHENTICATED') =>
  // RFC 6750: a 401 names the scheme the client should use.
  new HttpError(401, 'UNAUTHENTICATED', message, { reason, headers: { 'WWW-Authenticate': 'Bearer realm="shop"' } });

export const forbidden = (message = 'You do not have permission to do this') =>
  new HttpError(403, 'PERMISSION_DENIED', message, { reason: 'PERMISSION_DENIED' });

export function sendProblem(res: Response, problem: ProblemDetails, headers: Record<string, string> = {}): void {
  const requestId = res.locals.requestId;
  const body: ProblemDetails = typeof requestId === 'string' ? { ...problem, requestId } : problem;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-store');
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
