export interface CallInit {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** JSON-encoded with content-type application/json. */
  body?: unknown;
  /** Sent as is, for malformed-body tests. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON (problem+json included); undefined for empty or non-JSON answers. */
  body: T;
  text: string;
}

/** fetch against the edge, returning status, headers and the parsed JSON body (undefined when empty). */
export async function call<T = unknown>(url: string, init: CallInit = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body });
  const text = await response.text();
  let parsed: T = undefined as T;
  if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text) as T;
  return { status: response.status, headers: response.headers, body: parsed, text };
}
