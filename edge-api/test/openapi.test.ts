import type { Express } from 'express';
import { createLogger, createTokenVerifier } from '@shop/platform';
import { createEdgeApp } from '../src/app';
import { closeEdgeClients, createEdgeClients } from '../src/clients';
import { toExpressPath } from '../src/registry/route';
import type { OpenApiDocument } from '../src/registry/openapi';
import { call, startEdgeHarness, type EdgeHarness } from './support/edge-harness';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every method+path express actually serves, read from the router itself (not from the registry). */
function servedRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`))
    .sort();
}

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${toExpressPath(path)}`))
    .sort();
}

describe('OpenAPI document and routes', () => {
  let harness: EdgeHarness;
  let document: OpenApiDocument;
  beforeAll(async () => {
    harness = await startEdgeHarness();
    document = (await call(`${harness.url}/openapi.json`)).body as OpenApiDocument;
  });
  afterAll(() => harness.stop());

  it('is OpenAPI 3.1 with unique operation ids and the routes of every issue', () => {
    expect(document.openapi).toBe('3.1.0');
    const ids = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    const documented = documentedRoutes(document);
    for (const route of [
      'POST /v1/auth/register', 'POST /v1/auth/login', 'POST /v1/auth/refresh', 'POST /v1/auth/logout',
      'GET /v1/users/me', 'PATCH /v1/users/me', 'GET /v1/admin/users', 'PATCH /v1/admin/users/:id/role', 'GET /.well-known/jwks.json',
      'GET /v1/products', 'GET /v1/products/:id', 'POST /v1/products', 'PATCH /v1/products/:id', 'DELETE /v1/products/:id',
      'GET /v1/admin/products/:id/stock', 'POST /v1/admin/products/:id/stock',
      'POST /v1/orders', 'GET /v1/orders', 'GET /v1/orders/:id', 'POST /v1/orders/:id/cancel', 'GET /v1/admin/orders',
      'GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('documents exactly the routes the express router serves', () => {
    // A second app from the same factory, so the router's own table can be read.
    const logger = createLogger({ service: 'edge-api', level: 'silent' });
    const clients = createEdgeClients({ addresses: { user: 'x:1', product: 'x:1', order: 'x:1', payment: 'x:1' }, logger, deadlineMs: 100 });
    try {
      const app = createEdgeApp({ clients, logger, jwks: async () => [], verifier: createTokenVerifier({ issuer: 'i', audience: 'a', keys: async () => [] }) });
      expect(servedRoutes(app)).toEqual(documentedRoutes(document));
    } finally {
      closeEdgeClients(clients);
    }
  });

  it('serves every documented operation (none answers the unknown-route 404 or a 405)', async () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const url = `${harness.url}${path.replace(/\{[^}]+\}/g, 'some-id')}`;
        const response = await call(url, { method: method.toUpperCase(), token: harness.adminToken, ...(method === 'get' || method === 'delete' ? {} : { body: {} }) });
        expect({ route: `${method} ${path}`, status: response.status, reason: (response.body as { reason?: string } | undefined)?.reason }).not.toMatchObject({
          reason: expect.stringMatching(/^(ROUTE_NOT_FOUND|METHOD_NOT_ALLOWED)$/),
        });
      }
    }
  });

  it('answers unknown routes with a 404 problem and wrong methods with 405 + Allow', async () => {
    const missing = await call(`${harness.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, reason: 'ROUTE_NOT_FOUND' });
    const wrongMethod = await call(`${harness.url}/v1/products/abc`, { method: 'PUT', body: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  it('documents request bodies as strict schemas and every operation with a problem response', () => {
    const register = document.paths['/v1/auth/register']!.post!;
    expect(register.requestBody?.content['application/json']?.schema).toMatchObject({ additionalProperties: false, required: ['email', 'password', 'name'] });
    const createOrder = document.paths['/v1/orders']!.post!;
    expect(createOrder.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(createOrder.security).toEqual([{ bearerAuth: [] }]);
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) {
        expect(operation.responses['500']?.content?.['application/problem+json']).toBeDefined();
      }
    }
  });

  it('renders /docs as a self-contained page listing every operation', async () => {
    const response = await call(`${harness.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.text).not.toMatch(/<script|<link|src="http/i);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(response.text).toContain(`id="${operation.operationId}"`);
        expect(response.text).toContain(`${method.toUpperCase()}</span> <code>${path}</code>`);
      }
    }
  });
});
