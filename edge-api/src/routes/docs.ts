import { buildOpenApi, type OpenApiDocument } from '../registry/openapi';
import { renderDocsHtml } from '../registry/docs-html';
import { defineRoute, type Route } from '../registry/route';

/**
 * /openapi.json and /docs. They document the finished registry, themselves included, so they take a function
 * that returns it rather than a list fixed before they were added.
 */
export function docsRoutes(registry: () => readonly Route[]): Route[] {
  let document: OpenApiDocument | undefined;
  let html: string | undefined;
  const openApi = (): OpenApiDocument => (document ??= buildOpenApi(registry()));
  return [
    defineRoute({
      method: 'get', path: '/openapi.json', operationId: 'openApi', tags: ['system'], auth: 'public',
      summary: 'This OpenAPI 3.1 document',
      response: { status: 200, description: 'The document', contentType: 'application/json' },
      handler: async () => ({ body: openApi(), headers: { 'Cache-Control': 'public, max-age=60' } }),
    }),
    defineRoute({
      method: 'get', path: '/docs', operationId: 'docs', tags: ['system'], auth: 'public',
      summary: 'Readable API reference generated from the OpenAPI document',
      response: { status: 200, description: 'HTML page', contentType: 'text/html' },
      handler: async () => ({
        body: (html ??= renderDocsHtml(openApi())),
        contentType: 'text/html; charset=utf-8',
        headers: {
          'Cache-Control': 'public, max-age=60',
          // The page is static: no scripts, only its own inline styles.
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        },
      }),
    }),
  ];
}
