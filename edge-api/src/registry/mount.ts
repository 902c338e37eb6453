import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Express, Request, RequestHandler, Response } from 'express';
import { runWithRequestContext } from '@shop/platform';
import { authenticate, type AccessTokenVerifier } from '../http/auth';
import { HttpError } from '../http/problem';
import { validate } from '../http/validate';
import { toExpressPath, type Route, type RouteResult } from './route';

export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

function send(res: Response, route: Route, result: RouteResult<unknown>): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  const status = result.status ?? route.response.status;
  res.status(status);
  if (result.body === undefined || status === 204 || status === 304) {
    res.end();
    return;
  }
  if (result.contentType) {
    res.type(result.contentType).send(result.body);
    return;
  }
  res.json(result.body);
}

const tracer = trace.getTracer('edge-api');

/**
 * One span per route, named by its template. It does not depend on module patching, so the edge's part of a
 * trace exists wherever a tracer provider is registered, and the client factory propagates it to the services.
 * Only the route and method are recorded: never bodies, tokens or card data.
 */
function traced(route: Route, handler: RequestHandler): RequestHandler {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  return (req, res, next) =>
    tracer.startActiveSpan(
      name,
      {
        kind: trace.getActiveSpan() ? SpanKind.INTERNAL : SpanKind.SERVER,
        attributes: { 'http.route': route.path, 'http.request.method': req.method, 'shop.request_id': String(res.locals.requestId) },
      },
      async (span) => {
        let ended = false;
        // 'close' alone also covers clients that hang up before the answer is written.
        const end = () => {
          if (ended) return;
          ended = true;
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        };
        res.once('finish', end);
        res.once('close', end);
        try {
          await handler(req, res, next);
        } catch (error) {
          next(error);
        }
      },
    );
}

function handlerFor(route: Route, verifier: AccessTokenVerifier): RequestHandler {
  return async (req, res) => {
    const requestId = String(res.locals.requestId);
    const caller = await authenticate(req, route.auth, verifier);
    const params = route.params ? validate(route.params, req.params, 'path') : {};
    const query = route.query ? validate(route.query, req.query, 'query') : {};
    let body: unknown = undefined;
    if (route.body) {
      if (hasBody(req) && !req.is(JSON_MEDIA_TYPES)) {
        throw new HttpError(415, 'INVALID_ARGUMENT', 'The request body must be application/json', { reason: 'UNSUPPORTED_MEDIA_TYPE' });
      }
      body = validate(route.body, req.body, 'request body');
    }
    // The platform client factory reads this context: request id and (only when verified) the caller's token travel on.
    const result = await runWithRequestContext({ requestId, authorization: caller.authorization }, () =>
      route.invoke({ params, query, body, caller, requestId, req }),
    );
    send(res, route, result);
  };
}

/** Mounts every route of the registry, then answers 405/404 problems for everything else. */
export function mountRoutes(app: Express, routes: readonly Route[], verifier: AccessTokenVerifier): void {
  for (const route of routes) app[route.method](toExpressPath(route.path), traced(route, handlerFor(route, verifier)));

  const templates = routes.map((route) => ({ route, pattern: patternFor(route.path) }));
  app.use((req) => {
    const allowed = templates.filter(({ pattern }) => pattern.test(req.path)).map(({ route }) => route.method.toUpperCase());
    if (allowed.length > 0) {
      throw new HttpError(405, 'UNIMPLEMENTED', `${req.method} is not allowed here`, {
        reason: 'METHOD_NOT_ALLOWED',
        headers: { Allow: [...new Set(allowed)].join(', ') },
      });
    }
    throw new HttpError(404, 'NOT_FOUND', 'No such route', { reason: 'ROUTE_NOT_FOUND' });
  });
}

function patternFor(template: string): RegExp {
  const escaped = template.split(/\{[A-Za-z0-9_]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}/?$`);
}
