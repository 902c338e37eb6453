import type { OpenApiDocument, OpenApiOperation } from './openapi';

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const json = (value: unknown): string => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

const AUTH_LABEL: Record<OpenApiOperation['x-auth'], string> = {
  public: 'public',
  optional: 'token optional',
  user: 'signed-in user',
  admin: 'admin only',
};

function operationHtml(method: string, path: string, operation: OpenApiOperation): string {
  const parameters = operation.parameters.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${operation.parameters
        .map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code>${p.description ? ` ${escapeHtml(p.description)}` : ''}</td></tr>`)
        .join('')}</table>`
    : '';
  const body = operation.requestBody ? `<h4>Request body</h4>${json(operation.requestBody.content['application/json']?.schema)}` : '';
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => {
      const content = response.content ? Object.entries(response.content).map(([type, media]) => `<div><code>${escapeHtml(type)}</code>${json(media.schema)}</div>`).join('') : '';
      return `<details><summary><b>${status}</b> ${escapeHtml(response.description)}</summary>${content}</details>`;
    })
    .join('');
  return `<section id="${escapeHtml(operation.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <small>${AUTH_LABEL[operation['x-auth']]}</small></h3>
<p>${escapeHtml(operation.summary)}</p>${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}
${parameters}${body}<h4>Responses</h4>${responses}</section>`;
}

/** A self-contained reference page (no scripts, no CDN) rendered from the OpenAPI document itself. */
export function renderDocsHtml(document: OpenApiDocument): string {
  const sections = Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => operationHtml(method, path, operation)))
    .join('\n');
  const toc = Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, op]) => `<li><a href="#${escapeHtml(op.operationId)}">${method.toUpperCase()} ${escapeHtml(path)}</a></li>`),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.85rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
.method{display:inline-block;min-width:4.5rem;padding:.1rem .3rem;border-radius:3px;color:#fff;background:#555;text-align:center}
.get{background:#2b7bb9}.post{background:#2f9e44}.patch{background:#e67700}.delete{background:#c92a2a}.put{background:#7048e8}
small{color:#666;font-weight:normal}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<ul>${toc}</ul>
${sections}
<section><h3>Problem document</h3>${json(document.components.schemas.Problem)}</section>
</body></html>`;
}
