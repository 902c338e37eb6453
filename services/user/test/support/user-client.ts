import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { RequestOf, ResponseOf } from '@shop/platform';
import { UserServiceService } from '@shop/proto/gen/shop/user/v1/user';

type Definition = typeof UserServiceService;
export type MethodName = keyof Definition;

/** A plain grpc-js client of the user service: no retries or breaker, so every status reaches the test as sent. */
export interface UserClient {
  call<K extends MethodName>(method: K, request: RequestOf<Definition[K]>, accessToken?: string): Promise<ResponseOf<Definition[K]>>;
  /** Sends hand-made bytes to a method, for requests the generated encoder would never produce. */
  callRaw<K extends MethodName>(method: K, body: Buffer, accessToken?: string): Promise<ResponseOf<Definition[K]>>;
  /** Sends an arbitrary `authorization` value. */
  callWithAuthorization<K extends MethodName>(method: K, request: RequestOf<Definition[K]>, authorization: string): Promise<ResponseOf<Definition[K]>>;
  close(): void;
}

export function createUserClient(port: number): UserClient {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());

  function send<K extends MethodName>(method: K, body: Buffer, authorization: string | undefined): Promise<ResponseOf<Definition[K]>> {
    const definition = UserServiceService[method];
    const metadata = new Metadata();
    if (authorization !== undefined) metadata.set('authorization', authorization);
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        definition.path,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => definition.responseDeserialize(bytes) as ResponseOf<Definition[K]>,
        body,
        metadata,
        { deadline: Date.now() + 20_000 },
        (error: ServiceError | null, response?: ResponseOf<Definition[K]>) => {
          if (error) reject(error);
          else resolve(response as ResponseOf<Definition[K]>);
        },
      );
    });
  }

  const encode = <K extends MethodName>(method: K, request: RequestOf<Definition[K]>): Buffer =>
    (UserServiceService[method].requestSerialize as (value: RequestOf<Definition[K]>) => Buffer)(request);

  return {
    call: (method, request, accessToken) => send(method, encode(method, request), accessToken === undefined ? undefined : `Bearer ${accessToken}`),
    callRaw: (method, body, accessToken) => send(method, body, accessToken === undefined ? undefined : `Bearer ${accessToken}`),
    callWithAuthorization: (method, request, authorization) => send(method, encode(method, request), authorization),
    close: () => client.close(),
  };
}
