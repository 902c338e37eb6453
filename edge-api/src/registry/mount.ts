import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Express, Request, RequestHandler, Response } from 'express';
import { runWithRequestContext } from '@shop/platform';
import { authenticate, type AccessTokenVerifier } from '../http/auth';
import { HttpError } from '../http/problem';
import type { ScopedHandler } from '../http/request-scope';
import { validate } from '../http/validate';
import { toExpressPath, type Route, type RouteResult } from './route';

export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

// What res.json would send: express's mime lookup of application/json, with its charset.
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

function send(res: Response, route: Route, result: RouteResult<unknown>): void {
  const headers = result.headers;
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!);
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  const status = result.status ?? route.response.status;
  res.status(status);
  if ((result.body === undefined && result.json === undefined) || status === 204 || status === 304) {
    res.end();
    return;
  }
  if (result.contentType) {
    res.type(result.contentType).send(result.body);
    return;
  }
  // The bytes res.json would write (no replacer or spacing is configured), without its per-call content-type
  // parsing and freshness check: no route but the product read sets an ETag, and that one answers its own 304.
  const json = result.json ?? JSON.stringify(result.body);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(json));
  // Node itself leaves the body out of HEAD answers.
  res.end(json);
}

/** Ends the route's span with the response: 'close' follows 'finish' and also covers clients that hang up first. */
function endWithResponse(span: Span, res: Response): void {
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

async function respond(route: Route, verifier: AccessTokenVerifier, req: Request, res: Response): Promise<void> {
  const requestId = String(res.locals.requestId);
  const authenticated = authenticate(req, route.auth, verifier);
  // Awaited only when a token is being verified: an await of a plain value still costs a promise and a tick.
  const caller = authenticated instanceof Promise ? await authenticated : authenticated;
  const params = route.params ? validate(route.params, req.params, 'path') : {};
  const query = route.query ? validate(route.query, req.query, 'query') : {};
  let body: unknown = undefined;
  if (route.body) {
    if (hasBody(req) && !req.is(JSON_MEDIA_TYPES)) {
      throw new HttpError(415, 'INVALID_ARGUMENT', 'The request body must be application/json', { reason: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    body = validate(route.body, req.body, 'request body');
  }
  const context = { params, query, body, caller, requestId, req };
  // The platform client factory reads the request context: the request id is already in it (request scope);
  // a verified caller's token is added for the calls of this route only.
  const result = caller.authorization === undefined
    ? await route.invoke(context)
    : await runWithRequestContext({ requestId, authorization: caller.authorization }, () => route.invoke(context));
  send(res, route, result);
}

const tracer = trace.getTracer('edge-api');

/**
 * One span per route, named by its template, around the route's handling. It does not depend on module
 * patching, so the edge's part of a trace exists wherever a tracer provider is registered, and the client
 * factory propagates it to the services. Only the route and method are recorded: never bodies, tokens or card data.
 */
function routeHandler(route: Route, verifier: AccessTokenVerifier): ScopedHandler {
  const name = `${route.method.toUpperCase()} ${route.path}`;
  return (req, res, next) => {
    // The HTTP server span (instrumentation-http) takes its http.route and its name from this, as with the
    // express instrumentation, which is not loaded: it would only add spans per express layer.
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP) rpc.route = route.path;
    tracer.startActiveSpan(
      name,
      {
        kind: trace.getActiveSpan() ? SpanKind.INTERNAL : SpanKind.SERVER,
        attributes: { 'http.route': route.path, 'http.request.method': req.method, 'shop.request_id': String(res.locals.requestId) },
      },
      (span) => {
        endWithResponse(span, res);
        respond(route, verifier, req, res).catch(next);
      },
    );
  };
}

/**
 * Mounts every route of the registry, then answers 405/404 problems for everything else; `scoped` wraps each
 * of them in the request scope (request id, log line, body, context).
 */
export function mountRoutes(app: Express, routes: readonly Route[], verifier: AccessTokenVerifier, scoped: (handler: ScopedHandler) => RequestHandler): void {
  for (const route of routes) app[route.method](toExpressPath(route.path), scoped(routeHandler(route, verifier)));

  const templates = routes.map((route) => ({ route, pattern: patternFor(route.path) }));
  app.use(
    scoped((req) => {
      const allowed = templates.filter(({ pattern }) => pattern.test(req.path)).map(({ route }) => route.method.toUpperCase());
      if (allowed.length > 0) {
        throw new HttpError(405, 'UNIMPLEMENTED', `${req.method} is not allowed here`, {
          reason: 'METHOD_NOT_ALLOWED',
          headers: { Allow: [...new Set(allowed)].join(', ') },
        });
      }
      throw new HttpError(404, 'NOT_FOUND', 'No such route', { reason: 'ROUTE_NOT_FOUND' });
    }),
  );
}

function patternFor(template: string): RegExp {
  const escaped = template.split(/\{[A-Za-z0-9_]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]+')}/?$`);
}
