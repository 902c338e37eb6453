import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from './errors/domain-error';

export interface PageSizeLimits {
  defaultSize: number;
  maxSize: number;
}

/** AIP-158: 0 means the default, above the maximum is clamped, negative is INVALID_ARGUMENT. */
export function resolvePageSize(requested: number, limits: PageSizeLimits): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw invalidArgument('page_size must not be negative', [{ field: 'page_size', description: 'must be >= 0' }]);
  }
  if (requested === 0) return limits.defaultSize;
  return Math.min(requested, limits.maxSize);
}

/**
 * Opaque, tamper-evident page tokens: base64url(JSON payload) + "." + HMAC-SHA256. The payload is bound to the
 * query it was issued for (`scope`), so a token cannot be replayed against other filters.
 */
export interface PageTokenCodec<T> {
  encode(position: T, scope: unknown): string;
  /** The position, or undefined for an empty token; INVALID_ARGUMENT (INVALID_PAGE_TOKEN) when forged or foreign. */
  decode(token: string, scope: unknown): T | undefined;
}

export function createPageTokenCodec<T>(secret: string, isPosition: (value: unknown) => value is T): PageTokenCodec<T> {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest();
  const scopeKey = (scope: unknown) => createHmac('sha256', secret).update(JSON.stringify(scope ?? null)).digest('base64url').slice(0, 16);
  const invalid = () =>
    invalidArgument('page_token is invalid or does not match this query', [{ field: 'page_token', description: 'invalid' }], 'INVALID_PAGE_TOKEN');

  return {
    encode(position, scope) {
      const body = Buffer.from(JSON.stringify({ p: position, s: scopeKey(scope) })).toString('base64url');
      return `${body}.${sign(body).toString('base64url')}`;
    },
    decode(token, scope) {
      if (token === '') return undefined;
      const [body, mac, extra] = token.split('.');
      if (!body || !mac || extra !== undefined || token.length > 2048) throw invalid();
      const expected = sign(body);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const { p, s } = (parsed ?? {}) as { p?: unknown; s?: unknown };
      if (s !== scopeKey(scope) || !isPosition(p)) throw invalid();
      return p;
    },
  };
}
