import path from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
const REFLECTION_SERVICE_NAMES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

const protoRoot = path.dirname(require.resolve('@shop/proto/package.json'));
// @grpc/reflection ships the reflection protos; loading them makes reflection list itself, as grpcurl expects.
const reflectionProtoRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
const REFLECTION_PROTO_FILES = ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];

/** "shop.user.v1.UserService" -> "shop/user/v1/user.proto" (one file per package, as buf lays them out). */
function protoFileOf(serviceName: string): string {
  const parts = serviceName.split('.');
  parts.pop();
  return `${parts.join('/')}/${parts[parts.length - 2]}.proto`;
}

/**
 * Serves server reflection (v1 and v1alpha) for the given services plus health and reflection itself, built
 * from the same .proto files the stubs were generated from, so grpcurl and `buf curl` see the real contract.
 */
export function addReflection(server: Server, serviceNames: string[]): void {
  const files = [...new Set(serviceNames.map(protoFileOf)), 'grpc/health/v1/health.proto', ...REFLECTION_PROTO_FILES];
  const definition = loadSync(files, {
    includeDirs: [protoRoot, reflectionProtoRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const reflection = new ReflectionService(definition, {
    services: [...serviceNames, HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES],
  });
  reflection.addToServer(server);
}
