/**
 * The edge's RFC 9211 `Cache-Status` answers, reduced to one class per response so that a run can say how many of
 * its answers the product cache served. The edge names itself `edge`: `edge; hit`, `edge; fwd=uri-miss`,
 * `edge; fwd=request` (the request asked for a fresh answer), `edge; fwd=bypass` (the cache is off).
 */
export type CacheStatusClass = 'hit' | `fwd=${string}` | 'absent' | 'other';

/** Responses per class over one run (or the sum over rounds). */
export type CacheStatusCounts = Partial<Record<CacheStatusClass, number>>;

const CACHE_NAME = 'edge';

/** Splits on `separator` outside double-quoted strings (a `detail="a, b"` parameter may hold either separator). */
function splitOutsideQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** The parameters of one list member, `name; key; key=value; key="quoted"`, keys lower-cased. */
function parameters(member: string): { name: string; params: Map<string, string> } {
  const [name = '', ...rest] = splitOutsideQuotes(member, ';').map((part) => part.trim());
  const params = new Map<string, string>();
  for (const part of rest) {
    const equals = part.indexOf('=');
    const key = (equals < 0 ? part : part.slice(0, equals)).trim().toLowerCase();
    const value = equals < 0 ? '' : part.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key) params.set(key, value);
  }
  return { name: name.replace(/^"(.*)"$/, '$1').toLowerCase(), params };
}

/**
 * The class of one response's `Cache-Status` value (as node or autocannon hand it over: a string, a list of
 * repeated header lines, or nothing). Only the edge's own member counts; a header without one is `other`.
 */
export function classifyCacheStatus(value: string | readonly string[] | undefined | null): CacheStatusClass {
  if (value === undefined || value === null) return 'absent';
  const joined = typeof value === 'string' ? value : value.join(',');
  if (joined.trim() === '') return 'absent';
  // Members are listed from the origin outwards; the edge is the last cache before the client, so take its last member.
  const members = splitOutsideQuotes(joined, ',').map(parameters).filter((member) => member.name === CACHE_NAME);
  const edge = members[members.length - 1];
  if (!edge) return 'other';
  if (edge.params.has('hit')) return 'hit';
  const fwd = edge.params.get('fwd');
  return fwd ? `fwd=${fwd.toLowerCase()}` : 'other';
}

/** The value of a header from autocannon's name -> value map, whose names keep the server's spelling. */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | string[] | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function addCount(counts: CacheStatusCounts, cls: CacheStatusClass, by = 1): void {
  counts[cls] = (counts[cls] ?? 0) + by;
}

export function sumCounts(list: ReadonlyArray<CacheStatusCounts | undefined>): CacheStatusCounts | undefined {
  const present = list.filter((counts): counts is CacheStatusCounts => counts !== undefined);
  if (present.length === 0) return undefined;
  const total: CacheStatusCounts = {};
  for (const counts of present) for (const [cls, n] of Object.entries(counts) as Array<[CacheStatusClass, number]>) addCount(total, cls, n);
  return total;
}

export const totalCount = (counts: CacheStatusCounts): number => Object.values(counts).reduce<number>((sum, n) => sum + (n ?? 0), 0);

/** Share of the counted answers served by the cache (0..1); NaN when nothing was counted. */
export function hitRatio(counts: CacheStatusCounts): number {
  const total = totalCount(counts);
  return total === 0 ? Number.NaN : (counts.hit ?? 0) / total;
}

/** "hit 99.8%, fwd=uri-miss 0.2% of 24,112 answers", largest share first. */
export function describeCounts(counts: CacheStatusCounts): string {
  const total = totalCount(counts);
  if (total === 0) return 'no answers counted';
  const shares = (Object.entries(counts) as Array<[CacheStatusClass, number]>)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, n]) => `${cls === 'absent' ? 'no Cache-Status' : cls} ${((100 * n) / total).toFixed(n === total ? 0 : 2)}%`);
  return `${shares.join(', ')} of ${total.toLocaleString('en-US')} answers`;
}
