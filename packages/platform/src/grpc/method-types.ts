// `any` stays inside these constraints: they only accept the generated definitions, whose types are exact.
/** Any generated method, streaming ones included (e.g. grpc.health.v1.Health/Watch). */
export interface AnyMethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  requestSerialize(value: any): Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  requestDeserialize(bytes: Buffer): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  responseSerialize(value: any): Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  responseDeserialize(bytes: Buffer): any;
}
export type AnyServiceDefinition = Record<string, AnyMethodDefinition>;

/** The keys of a definition's unary methods. */
export type UnaryKeys<D> = {
  [K in keyof D]: D[K] extends { requestStream: false; responseStream: false } ? K : never;
}[keyof D];

/** The keys of a definition's server-streaming methods (one request, a stream of responses). */
export type ServerStreamKeys<D> = {
  [K in keyof D]: D[K] extends { requestStream: false; responseStream: true } ? K : never;
}[keyof D];

export type RequestOf<M> = M extends { requestDeserialize(bytes: Buffer): infer Req } ? Req : never;
export type ResponseOf<M> = M extends { responseDeserialize(bytes: Buffer): infer Res } ? Res : never;

/** "/shop.user.v1.UserService/GetUser" -> { service: "shop.user.v1.UserService", method: "GetUser" } */
export function splitMethodPath(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}
