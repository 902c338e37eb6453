import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, failedPrecondition, resourceExhausted } from '../src/errors/domain-error';
import { parseServiceError, toServiceError } from '../src/errors/grpc-status';
import { problemFromRemoteError } from '../src/errors/http-problem';

const roundTrip = (error: unknown) => {
  const mapped = toServiceError(error, 'shop.test');
  return parseServiceError(Object.assign(new Error(mapped.details), mapped) as ServiceError);
};

describe('error mapping', () => {
  it.each([
    [status.INVALID_ARGUMENT, 400], [status.FAILED_PRECONDITION, 400], [status.OUT_OF_RANGE, 400],
    [status.UNAUTHENTICATED, 401], [status.PERMISSION_DENIED, 403], [status.NOT_FOUND, 404],
    [status.ALREADY_EXISTS, 409], [status.ABORTED, 409], [status.RESOURCE_EXHAUSTED, 429],
    [status.CANCELLED, 499], [status.UNIMPLEMENTED, 501], [status.UNAVAILABLE, 503],
    [status.DEADLINE_EXCEEDED, 504], [status.INTERNAL, 500], [status.UNKNOWN, 500], [status.DATA_LOSS, 500],
  ])('maps gRPC %s to HTTP %s', (code, httpStatus) => {
    expect(problemFromRemoteError(roundTrip(new DomainError(code, 'told to the client'))).status).toBe(httpStatus);
  });

  it('keeps reason, metadata and retry info across the wire', () => {
    const remote = roundTrip(failedPrecondition('OUT_OF_STOCK', 'Not enough stock', { productIds: 'p1,p2' }));
    expect(remote).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'OUT_OF_STOCK', metadata: { productIds: 'p1,p2' }, domain: 'shop.test' });
    const throttled = problemFromRemoteError(roundTrip(resourceExhausted('TOO_MANY_ATTEMPTS', 'Slow down', 42)));
    expect(throttled).toMatchObject({ status: 429, retryAfterSeconds: 42, body: { reason: 'TOO_MANY_ATTEMPTS' } });
  });

  it('gives 503 a Retry-After even when the server named none', () => {
    expect(problemFromRemoteError(roundTrip(new DomainError(status.UNAVAILABLE, 'down'))).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('maps a reused idempotency key to 422', () => {
    expect(problemFromRemoteError(roundTrip(failedPrecondition('IDEMPOTENCY_KEY_REUSED', 'Key reused'))).status).toBe(422);
  });

  it('turns unexpected errors into a generic INTERNAL with no internals', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    const remote = roundTrip(secret);
    expect(remote.code).toBe(status.INTERNAL);
    const problem = problemFromRemoteError(remote);
    const body = JSON.stringify(problem.body);
    expect(problem.status).toBe(500);
    expect(body).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7|at .*\.ts/);
  });
});

describe('transport failures', () => {
  const transport = (code: status, details: string) =>
    Object.assign(new Error(details), { code, details, metadata: new Metadata() }) as ServiceError;

  it('never pass grpc-js internals (addresses, balancer state) to HTTP clients or to gRPC callers', () => {
    const raw = transport(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 10.1.2.3:50054');
    const problem = problemFromRemoteError(parseServiceError(raw));
    expect(problem.status).toBe(503);
    expect(problem.body.detail).toBe('A service needed for this request is unavailable; try again later');
    const relayed = toServiceError(raw, 'shop.order');
    expect(relayed.code).toBe(status.UNAVAILABLE);
    expect(relayed.details).not.toMatch(/ECONNREFUSED|10\.1\.2\.3/);
  });

  it('keep a service\'s own message when it gave a reason', () => {
    const remote = roundTrip(failedPrecondition('OUT_OF_STOCK', 'Not enough stock for 2 items'));
    expect(problemFromRemoteError(remote).body.detail).toBe('Not enough stock for 2 items');
  });
});
