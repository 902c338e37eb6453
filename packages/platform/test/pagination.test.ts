import { status } from '@grpc/grpc-js';
import { createPageTokenCodec, resolvePageSize } from '../src/pagination';
import { DomainError } from '../src/errors/domain-error';

const isPosition = (value: unknown): value is { id: string } =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';

const invalidArgumentOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError && error.code === status.INVALID_ARGUMENT;
  }
  return false;
};

describe('pagination', () => {
  const codec = createPageTokenCodec('test-secret', isPosition);

  it('round-trips a position for the same query', () => {
    const token = codec.encode({ id: 'p-42' }, { q: 'lamp' });
    expect(codec.decode(token, { q: 'lamp' })).toEqual({ id: 'p-42' });
    expect(codec.decode('', { q: 'lamp' })).toBeUndefined();
  });

  it('refuses tampered, foreign and malformed tokens', () => {
    const token = codec.encode({ id: 'p-42' }, { q: 'lamp' });
    const [body, mac] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ p: { id: 'p-1' }, s: 'x' })).toString('base64url');
    expect(invalidArgumentOf(() => codec.decode(`${forgedBody}.${mac}`, { q: 'lamp' }))).toBe(true);
    expect(invalidArgumentOf(() => codec.decode(`${body}.${mac.slice(1)}A`, { q: 'lamp' }))).toBe(true);
    expect(invalidArgumentOf(() => codec.decode(token, { q: 'desk' }))).toBe(true);
    expect(invalidArgumentOf(() => createPageTokenCodec('other-secret', isPosition).decode(token, { q: 'lamp' }))).toBe(true);
    expect(invalidArgumentOf(() => codec.decode('garbage', {}))).toBe(true);
  });

  it('resolves page sizes per AIP-158', () => {
    const limits = { defaultSize: 20, maxSize: 100 };
    expect(resolvePageSize(0, limits)).toBe(20);
    expect(resolvePageSize(7, limits)).toBe(7);
    expect(resolvePageSize(1000, limits)).toBe(100);
    expect(invalidArgumentOf(() => resolvePageSize(-1, limits))).toBe(true);
  });
});
