import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Target } from './measurement';
import { preflight } from './preflight';

describe('preflight: the Cache-Status of the answer', () => {
  let server: http.Server;
  let url: string;
  let answer: string | undefined;
  let received: http.IncomingHttpHeaders | undefined;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      received = request.headers;
      if (answer !== undefined) response.setHeader('Cache-Status', answer);
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const uncached = (): Target => ({
    name: 'edge',
    url,
    next: () => ({ method: 'GET', path: '/v1/products/p1', headers: { 'cache-control': 'no-cache' } }),
    cacheStatus: { expect: ['fwd=request', 'fwd=bypass'] },
  });

  it('passes an uncached answer and sends the request headers', async () => {
    answer = 'edge; fwd=request';
    const check = await preflight(uncached());
    expect(check.ok).toBe(true);
    expect(check.line).toContain('cache-status: edge; fwd=request');
    expect(received?.['cache-control']).toBe('no-cache');
  });

  it('fails an uncached scenario answered by the cache', async () => {
    answer = 'edge; hit';
    const check = await preflight(uncached());
    expect(check.ok).toBe(false);
    expect(check.line).toContain('expected fwd=request or fwd=bypass');
  });

  it('only notes an absent header (an edge without the cache)', async () => {
    answer = undefined;
    const check = await preflight(uncached());
    expect(check.ok).toBe(true);
    expect(check.line).toContain('no Cache-Status header');
  });

  it('says nothing about caching for a target that expects nothing', async () => {
    answer = undefined;
    const check = await preflight({ name: 'baseline', url, next: () => ({ method: 'GET', path: '/v1/products/p1' }) });
    expect(check.ok).toBe(true);
    expect(check.line).not.toContain('cache');
  });
});
