import { z } from 'zod';
import { ProblemSchema } from '../schemas/common';
import type { Route } from './route';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; required: boolean; description?: string; schema: JsonSchema }>;
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }>; headers?: Record<string, JsonSchema> }>;
  'x-auth': Route['auth'];
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(route: Route): OpenApiOperation['parameters'] {
  const parameters: OpenApiOperation['parameters'] = [];
  const add = (schema: z.ZodType | undefined, location: 'path' | 'query') => {
    if (!schema) return;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property as JsonSchema & { description?: string };
      parameters.push({
        name, in: location, required: location === 'path' || (object.required ?? []).includes(name), schema: rest,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  for (const header of route.headers ?? []) {
    parameters.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: jsonSchema(header.schema, 'input') });
  }
  return parameters;
}

/** Problems every route of an auth level can answer, besides the ones it lists itself. */
function commonErrors(route: Route): number[] {
  // 401 everywhere: a token in the query string is refused on every route.
  const statuses = [401, 500];
  if (route.auth === 'admin') statuses.push(403);
  if (route.body || route.query || route.params) statuses.push(400);
  if (route.path.startsWith('/v1/')) statuses.push(503, 504);
  return statuses;
}

function responsesOf(route: Route): OpenApiOperation['responses'] {
  const responses: OpenApiOperation['responses'] = {};
  const { status, description, schema, contentType } = route.response;
  const headers = route.responseHeaders
    ? { headers: Object.fromEntries(Object.entries(route.responseHeaders).map(([name, about]) => [name, { description: about, schema: { type: 'string' } }])) }
    : {};
  responses[String(status)] = schema || contentType
    ? { description, content: { [contentType ?? 'application/json']: { schema: schema ? jsonSchema(schema, 'output') : { type: 'string' } } }, ...headers }
    : { description, ...headers };
  if (route.operationId === 'getProduct') responses['304'] = { description: 'Not modified (If-None-Match matched the ETag)', ...headers };
  const errors = new Set([...(route.errors ?? []), ...commonErrors(route)]);
  for (const code of [...errors].sort()) {
    if (String(code) in responses) continue;
    responses[String(code)] = {
      description: `Problem (${code})`,
      content: { 'application/problem+json': { schema: PROBLEM_REF } },
      ...(code === 429 || code === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } } : {}),
    };
  }
  return responses;
}

function operationOf(route: Route): OpenApiOperation {
  const operation: OpenApiOperation = {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    parameters: parametersOf(route),
    responses: responsesOf(route),
    'x-auth': route.auth,
  };
  if (route.description) operation.description = route.description;
  if (route.auth === 'user' || route.auth === 'admin') operation.security = [{ bearerAuth: [] }];
  if (route.auth === 'optional') operation.security = [{}, { bearerAuth: [] }];
  if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
  return operation;
}

/** The OpenAPI 3.1 document, derived entirely from the route registry. */
export function buildOpenApi(routes: readonly Route[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const entry = (paths[route.path] ??= {});
    entry[route.method] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shop REST API',
      version: '1.0.0',
      description: 'The storefront edge. Errors are RFC 9457 problem documents; money is integer minor units.',
    },
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
