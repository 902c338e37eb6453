import type { Target } from './measurement';

/**
 * One request per target before a scenario: a route that answers errors would otherwise be measured as a fast
 * (or empty) result. Returns a one-line verdict; never throws.
 */
export async function preflight(target: Target): Promise<{ ok: boolean; line: string }> {
  const spec = target.next();
  const started = performance.now();
  try {
    const response = await fetch(`${target.url}${spec.path}`, {
      method: spec.method,
      headers: { ...spec.headers, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: spec.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const ms = (performance.now() - started).toFixed(0);
    const ok = response.status >= 200 && response.status < 300;
    // A server-side cache would make the figures a mix of hits and misses: say so when it announces itself.
    const cache = ['x-cache', 'x-cache-status', 'age'].map((name) => [name, response.headers.get(name)]).filter(([, value]) => value !== null);
    const cacheNote = cache.length > 0 ? ` (cache headers: ${cache.map(([name, value]) => `${name}: ${value}`).join(', ')})` : '';
    return { ok, line: `${target.name} ${spec.method} ${spec.path.slice(0, 60)} -> ${response.status} in ${ms} ms${cacheNote}${ok ? '' : `: ${text.slice(0, 300)}`}` };
  } catch (error) {
    return { ok: false, line: `${target.name} ${spec.method} ${spec.path.slice(0, 60)} -> ${error instanceof Error ? error.message : String(error)}` };
  }
}
