import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
const REFLECTION_SERVICE_NAMES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

const protoRoot = path.dirname(require.resolve('@shop/proto/package.json'));
/** Written by `npm run generate -w @shop/proto` (buf build): every contract file with its real name and imports. */
const DESCRIPTOR_SET_PATH = path.join(protoRoot, 'gen', 'descriptor-set.binpb');
const reflectionProtoRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');

let cachedFiles: Buffer[] | undefined;

/**
 * The FileDescriptorProtos reflection serves. They come from buf's descriptor set rather than from proto-loader,
 * whose descriptors are renamed per package and list no imports: with those, grpcurl and `buf curl` cannot
 * resolve imported types such as google.protobuf.Timestamp.
 */
function contractFiles(): Buffer[] {
  if (cachedFiles) return cachedFiles;
  // protobufjs' descriptor extension has no type declarations; it is only used here, on trusted build output.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FileDescriptorSet, FileDescriptorProto } = require('protobufjs/ext/descriptor') as DescriptorModule;
  const set = FileDescriptorSet.decode(readFileSync(DESCRIPTOR_SET_PATH));
  cachedFiles = set.file.map((file) => Buffer.from(FileDescriptorProto.encode(file).finish()));
  return cachedFiles;
}

interface DescriptorCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
}
interface DescriptorModule {
  FileDescriptorSet: DescriptorCodec<{ file: object[] }>;
  FileDescriptorProto: DescriptorCodec<object>;
}

/** Serves server reflection (v1 and v1alpha) listing the given services plus health and reflection itself. */
export function addReflection(server: Server, serviceNames: string[]): void {
  const reflectionProtos = loadSync(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    includeDirs: [reflectionProtoRoot],
  });
  // ReflectionService only reads `fileDescriptorProtos` from the definition's entries.
  const definition = {
    ...reflectionProtos,
    'shop.contracts': { fileDescriptorProtos: contractFiles() },
  } as unknown as PackageDefinition;
  new ReflectionService(definition, { services: [...serviceNames, HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES] }).addToServer(server);
}
