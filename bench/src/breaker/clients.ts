import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { createLogger, createServiceClient, currentRequestContext, REQUEST_ID_HEADER, SERVICE_CHANNEL_OPTIONS } from '@shop/platform';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';

export type Call = () => Promise<unknown>;

export interface BenchClient {
  call: Call;
  close(): void;
}

const DEADLINE_MS = 2_000;
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
        const metadata = new Metadata();
        const requestId = currentRequestContext()?.requestId;
        if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
        channel.makeUnaryRequest(path, requestSerialize, responseDeserialize, REQUEST, metadata, { deadline: Date.now() + DEADLINE_MS }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      }),
    close: () => channel.close(),
  };
}

/** The platform's createServiceClient: deadline, breaker (opossum), metadata propagation, retry policy. */
export function platformClient(target: string): BenchClient {
  const client = createServiceClient(ProductServiceService, {
    service: 'bench-echo',
    target,
    logger: createLogger({ service: 'bench', level: 'silent' }),
    defaultDeadlineMs: DEADLINE_MS,
    idempotentMethods: ['getProduct'],
  });
  return {
    call: () => client.getProduct(REQUEST),
    close: () => client.close(),
  };
}
