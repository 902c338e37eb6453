import { status, type ServiceError } from '@grpc/grpc-js';
import { aborted, DomainError, failedPrecondition, toServiceError } from '@shop/platform';
import { translateCallError } from '../src/clients/translate-error';
import { DependencyRefusedError, DependencyUnavailableError } from '../src/domain/dependency-errors';

/** What a grpc-js client hands back for an error the callee's platform encoded. */
const remote = (error: DomainError): ServiceError => Object.assign(new Error(error.message), toServiceError(error, 'shop.payment')) as ServiceError;

const kindOf = (error: ServiceError) => {
  try {
    translateCallError('payment', error);
  } catch (caught) {
    if (caught instanceof DependencyUnavailableError) return 'unavailable';
    if (caught instanceof DependencyRefusedError) return `refused:${caught.reason}`;
  }
  return 'other';
};

describe('how the saga reads a dependency failure', () => {
  it('waits for recovery when an earlier attempt with the same key is still running', () => {
    expect(kindOf(remote(aborted('REQUEST_IN_PROGRESS', 'still running')))).toBe('unavailable');
  });

  it('waits for recovery when its own service credentials are refused', () => {
    expect(kindOf(remote(new DomainError(status.UNAUTHENTICATED, 'expired')))).toBe('unavailable');
    expect(kindOf(remote(new DomainError(status.PERMISSION_DENIED, 'no')))).toBe('unavailable');
  });

  it('treats answers about the order as final refusals', () => {
    expect(kindOf(remote(failedPrecondition('INVALID_STATE_TRANSITION', 'already refunded')))).toBe('refused:INVALID_STATE_TRANSITION');
    expect(kindOf(remote(failedPrecondition('OUT_OF_STOCK', 'short')))).toBe('refused:OUT_OF_STOCK');
  });

  it('treats outages and timeouts as transient', () => {
    expect(kindOf(remote(new DomainError(status.UNAVAILABLE, 'down')))).toBe('unavailable');
    expect(kindOf(remote(new DomainError(status.DEADLINE_EXCEEDED, 'slow')))).toBe('unavailable');
  });
});
