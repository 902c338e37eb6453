import { status, type ServiceError } from '@grpc/grpc-js';
import { parseServiceError, type RemoteError } from '@shop/platform';

/** Awaits a call that must fail and returns its decoded status; fails the test when the call succeeds. */
export async function expectGrpcError(promise: Promise<unknown>, code: status): Promise<RemoteError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    const remote = parseServiceError(error as ServiceError);
    if (remote.code !== code) {
      throw new Error(`expected ${status[code]} but got ${status[remote.code]}: ${remote.message}`);
    }
    return remote;
  }
  throw new Error(`expected ${status[code]} but the call succeeded with ${JSON.stringify(outcome)}`);
}
