// The names the gRPC instrumentation gave its spans' attributes, kept by the platform's own CLIENT and SERVER spans
// (client-span.ts, server-span.ts) so that traces read as they did.
export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
export const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const ATTR_GRPC_ERROR_NAME = 'grpc.error_name';
export const ATTR_GRPC_ERROR_MESSAGE = 'grpc.error_message';
