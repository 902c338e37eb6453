import type { ServiceError } from '@grpc/grpc-js';
import { parseServiceError } from '@shop/platform';

/** A failure as log fields: a gRPC one by its code and reason, anything else as the error (the logger's serializer). */
export function failureLogFields(error: unknown): Record<string, unknown> {
  const parsed = typeof error === 'object' && error !== null && 'code' in error ? parseServiceError(error as ServiceError) : undefined;
  return parsed ? { grpc_code: parsed.code, reason: parsed.reason } : { err: error };
}
