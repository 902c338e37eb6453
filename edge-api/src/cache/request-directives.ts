import type { Request } from 'express';

/**
 * RFC 9111 request directives that refuse a stored answer: no-cache and max-age=0 ask for one validated with the
 * origin, no-store for one that involves no cache at all. Either way the read goes to the product service.
 */
export function requestsFreshAnswer(req: Request): boolean {
  const header = req.get('cache-control');
  if (!header) return false;
  for (const part of header.split(',')) {
    const [rawName, rawValue] = part.split('=', 2);
    const name = rawName!.trim().toLowerCase();
    if (name === 'no-cache' || name === 'no-store') return true;
    if (name === 'max-age' && /^"?0+"?$/.test((rawValue ?? '').trim())) return true;
  }
  return false;
}

/** RFC 9211 Cache-Status values of the edge's product cache ("edge" names this cache). */
export const CACHE_STATUS = {
  hit: 'edge; hit',
  /** Not stored: asked the product service, and stored the answer when it could be. */
  miss: 'edge; fwd=uri-miss',
  /** The request's Cache-Control asked for a fresh answer. */
  request: 'edge; fwd=request',
  /** The cache is off: turned off by configuration, or the change feed is not live. */
  bypass: 'edge; fwd=bypass',
} as const;
