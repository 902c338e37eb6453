import { classifyCacheStatus } from './cache-status';
import type { Target } from './measurement';

/** The preflight's verdict on the answer's `Cache-Status` when the target states what it expects. */
function cacheVerdict(target: Target, value: string | null): { ok: boolean; note: string } {
  const expect = target.cacheStatus?.expect;
  if (!expect) return { ok: true, note: value === null ? '' : ` (cache-status: ${value})` };
  if (value === null) return { ok: true, note: ' (no Cache-Status header: this edge has no product cache, every answer is uncached)' };
  const cls = classifyCacheStatus(value);
  if (!expect.includes(cls)) return { ok: false, note: ` (cache-status: ${value}; expected ${expect.join(' or ')})` };
  return { ok: true, note: ` (cache-status: ${value}${cls === 'fwd=bypass' ? ': the cache is off, this answer is the uncached path' : ''})` };
}

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
    const statusOk = response.status >= 200 && response.status < 300;
    // A server-side cache makes the figures a mix of hits and misses: say what the answer announced, and fail a
    // target whose answer is not the kind its scenario measures (e.g. a hit in the uncached scenario).
    const cache = cacheVerdict(target, response.headers.get('cache-status'));
    const others = ['x-cache', 'x-cache-status', 'age'].map((name) => [name, response.headers.get(name)]).filter(([, value]) => value !== null);
    const othersNote = others.length > 0 ? ` (cache headers: ${others.map(([name, value]) => `${name}: ${value}`).join(', ')})` : '';
    const ok = statusOk && cache.ok;
    return {
      ok,
      line: `${target.name} ${spec.method} ${spec.path.slice(0, 60)} -> ${response.status} in ${ms} ms${cache.note}${othersNote}${statusOk ? '' : `: ${text.slice(0, 300)}`}`,
    };
  } catch (error) {
    return { ok: false, line: `${target.name} ${spec.method} ${spec.path.slice(0, 60)} -> ${error instanceof Error ? error.message : String(error)}` };
  }
}
