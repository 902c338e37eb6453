import type { Request } from 'express';
import { rejectTokenInQuery } from '../src/http/auth';
import { HttpError } from '../src/http/problem';

const check = (originalUrl: string) => () => rejectTokenInQuery({ originalUrl } as Request);

describe('tokens in the query string', () => {
  it('are refused under every name, however the name is encoded', () => {
    for (const url of [
      '/v1/users/me?access_token=x',
      '/v1/products?q=lamp&accessToken=x',
      '/v1/products?id_token=x&q=lamp',
      '/v1/products?bearer',
      '/v1/products?access%5Ftoken=x',
      '//other.example?access_token=x',
    ]) {
      expect(check(url)).toThrow(HttpError);
    }
  });

  it('the refusal is a 401 naming the cause', () => {
    try {
      check('/v1/products?access_token=x')();
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).toProblem()).toMatchObject({ status: 401, reason: 'TOKEN_IN_QUERY' });
    }
  });

  it('lets everything else through, including the names as values and after a fragment', () => {
    for (const url of ['/v1/products/p1', '/v1/products?q=access_token', '/v1/products?q=lamp&sort=newest', '/v1/products?q=a#access_token=x', '/v1/products?']) {
      expect(check(url)).not.toThrow();
    }
  });
});
