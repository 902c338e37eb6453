/** The shape of one unary method in a ts-proto (outputServices=grpc-js) service definition. */
export interface UnaryMethodDefinition<Req, Res> {
  path: string;
  requestStream: false;
  responseStream: false;
  requestSerialize(value: Req): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

// `any` stays inside these constraints: they only accept the generated definitions, whose types are exact.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyUnaryMethod = UnaryMethodDefinition<any, any>;
export type ServiceDefinitionLike = Record<string, AnyUnaryMethod>;

/** Any generated method, streaming ones included (e.g. grpc.health.v1.Health/Watch). */
export interface AnyMethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  requestSerialize(value: any): Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  responseDeserialize(bytes: Buffer): any;
}
export type AnyServiceDefinition = Record<string, AnyMethodDefinition>;

/** The keys of a definition's unary methods: the ones the client factory exposes. */
export type UnaryKeys<D> = {
  [K in keyof D]: D[K] extends { requestStream: false; responseStream: false } ? K : never;
}[keyof D];

export type RequestOf<M> = M extends { requestDeserialize(bytes: Buffer): infer Req } ? Req : never;
export type ResponseOf<M> = M extends { responseDeserialize(bytes: Buffer): infer Res } ? Res : never;

/** "/shop.user.v1.UserService/GetUser" -> { service: "shop.user.v1.UserService", method: "GetUser" } */
export function splitMethodPath(path: string): { service: string; method: string } {
  const [, service = '', method = ''] = path.split('/');
  return { service, method };
}
