import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { createLogger, createServiceClient, currentRequestContext, REQUEST_ID_HEADER, SERVICE_CHANNEL_OPTIONS } from '@shop/platform';
import { closeCallBreaker, createCallBreaker, unaryCallAction } from '@shop/platform/src/grpc/call-breaker';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';

export type Call = () => Promise<unknown>;

export interface BenchClient {
  call: Call;
  close(): void;
}

const DEADLINE_MS = 2_000;
/** The service name the bench's breakers and clients go by (breaker names, logs). */
export const BENCH_SERVICE = 'bench-echo';
export const silentLogger = () => createLogger({ service: 'bench', level: 'silent' });

/** The metadata a careful caller sends: the request id of the request context it runs in. */
function requestMetadata(): Metadata {
  const metadata = new Metadata();
  const requestId = currentRequestContext()?.requestId;
  if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
  return metadata;
}
export const REQUEST = { id: '00000000-0000-4000-8000-000000000001' };

/**
 * A bare grpc-js unary call as any careful caller writes it: the platform's channel settings (imported, so the
 * channel is never what differs), a deadline as an epoch number (the form the platform passes), and the request
 * id read from the request context and sent as metadata. What it lacks is exactly what the platform adds: the
 * breaker and its bookkeeping, deadline capping, authorization and trace forwarding, retry plumbing.
 */
export function plainClient(target: string): BenchClient {
  const channel = new Client(target, credentials.createInsecure(), { ...SERVICE_CHANNEL_OPTIONS });
  const { path, requestSerialize, responseDeserialize } = ProductServiceService.getProduct;
  return {
    call: () =>
      new Promise((resolve, reject) => {
        channel.makeUnaryRequest(path, requestSerialize, responseDeserialize, REQUEST, requestMetadata(), { deadline: Date.now() + DEADLINE_MS }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      }),
    close: () => channel.close(),
  };
}

/** The platform's createServiceClient: deadline, breaker (opossum), metadata propagation, retry policy. */
export function platformClient(target: string): BenchClient {
  const client = createServiceClient(ProductServiceService, {
    service: BENCH_SERVICE,
    target,
    logger: silentLogger(),
    defaultDeadlineMs: DEADLINE_MS,
    idempotentMethods: ['getProduct'],
  });
  return {
    call: () => client.getProduct(REQUEST),
    close: () => client.close(),
  };
}

/**
 * The breaker alone, in place: the platform's own unary action (`unaryCallAction`, what createServiceClient sends)
 * on one channel, called directly (`direct`) or through the breaker the platform builds around it (`breaker`,
 * `createCallBreaker` with the platform's default settings). Both build the same metadata and deadline per call,
 * so the two differ by the breaker and nothing else.
 */
export function breakerPair(target: string): { direct: BenchClient; breaker: BenchClient } {
  const channel = new Client(target, credentials.createInsecure(), { ...SERVICE_CHANNEL_OPTIONS });
  const send = unaryCallAction(channel, ProductServiceService.getProduct);
  const name = `${BENCH_SERVICE}.getProduct.in-situ`;
  const breaker = createCallBreaker(send, { name, service: BENCH_SERVICE, logger: silentLogger() });
  return {
    direct: { call: () => send(REQUEST, requestMetadata(), Date.now() + DEADLINE_MS, 0, undefined), close: () => channel.close() },
    breaker: { call: () => breaker.fire(REQUEST, requestMetadata(), Date.now() + DEADLINE_MS, 0, undefined), close: () => closeCallBreaker(name, breaker) },
  };
}
