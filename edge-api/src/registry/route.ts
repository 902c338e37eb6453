import type { Request } from 'express';
import type { z } from 'zod';
import type { Caller } from '../http/auth';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * public: no token looked at or forwarded; optional: verified and forwarded when sent;
 * user: a valid token is required; admin: a valid token with role ADMIN is required.
 */
export type AuthLevel = 'public' | 'optional' | 'user' | 'admin';

type AnyObjectSchema = z.ZodType<Record<string, unknown>>;

export interface RouteResult<Body> {
  status?: number;
  body?: Body;
  headers?: Record<string, string>;
  /** For the few routes that answer something other than JSON (the docs page). */
  contentType?: string;
  /**
   * The JSON bytes of the answer, when the handler already has them (an ETag is computed over exactly these
   * bytes, or they come from a cache): sent as they are, in place of `body`, which is then left out.
   */
  json?: Buffer;
}

export interface HandlerContext<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  caller: Caller;
  requestId: string;
  req: Request;
}

export interface HeaderDoc {
  name: string;
  required: boolean;
  description: string;
  schema: z.ZodType;
}

export interface RouteDocs {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: AuthLevel;
  params?: AnyObjectSchema;
  query?: AnyObjectSchema;
  body?: z.ZodType;
  headers?: HeaderDoc[];
  response: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Headers of the success answer worth documenting: name -> description (string values). */
  responseHeaders?: Record<string, string>;
  /** Problem statuses this route documents beyond the ones every route can answer. */
  errors?: number[];
}

export interface RouteSpec<P extends AnyObjectSchema, Q extends AnyObjectSchema, B extends z.ZodType, R extends z.ZodType>
  extends RouteDocs {
  method: HttpMethod;
  /** OpenAPI path template, e.g. /v1/products/{id}. */
  path: string;
  params?: P;
  query?: Q;
  body?: B;
  response: { status: number; description: string; schema?: R; contentType?: string };
  handler: (context: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<RouteResult<z.input<R>>>;
}

/** A route with its types erased, as the registry, the router and the OpenAPI builder see it. */
export interface Route extends RouteDocs {
  method: HttpMethod;
  path: string;
  /** Runs the handler on already-validated input. */
  invoke: (context: HandlerContext<unknown, unknown, unknown>) => Promise<RouteResult<unknown>>;
}

/**
 * Declares a route once: what the router mounts and what /openapi.json documents both come from this object,
 * and the handler is typed by the same schemas that validate its input and describe its output.
 */
export function defineRoute<
  P extends AnyObjectSchema = AnyObjectSchema,
  Q extends AnyObjectSchema = AnyObjectSchema,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): Route {
  const { handler, ...rest } = spec;
  // The router validates params/query/body with these same schemas before calling, so the casts are safe.
  return { ...rest, invoke: (context) => handler(context as HandlerContext<z.output<P>, z.output<Q>, z.output<B>>) };
}

/** /v1/products/{id} -> /v1/products/:id */
export const toExpressPath = (template: string): string => template.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
