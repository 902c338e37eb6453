import { Client, credentials, Metadata, type ChannelOptions } from '@grpc/grpc-js';
import { createLogger, createServiceClient, REQUEST_ID_HEADER, runWithRequestContext } from '@shop/platform';
import { ProductServiceService } from '@shop/proto/gen/shop/product/v1/product';

export type Call = () => Promise<void>;

export interface BenchClient {
  call: Call;
  close(): void;
}

const DEADLINE_MS = 2_000;
// The platform client's channel settings, so that the channel is not what differs.
const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.enable_channelz': 0,
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};
const REQUEST = { id: '00000000-0000-4000-8000-000000000001' };
// Both clients send the same metadata: the platform's comes from the request context, the plain one's by hand.
const REQUEST_ID = 'bench-request-0001';

/** A bare grpc-js unary call with a deadline and a request id: what a call costs without the platform. */
export function plainClient(target: string): BenchClient {
  const channel = new Client(target, credentials.createInsecure(), CHANNEL_OPTIONS);
  const method = ProductServiceService.getProduct;
  return {
    call: () =>
      new Promise((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set(REQUEST_ID_HEADER, REQUEST_ID);
        channel.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, REQUEST, metadata, { deadline: new Date(Date.now() + DEADLINE_MS) }, (error) =>
          error ? reject(error) : resolve(),
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
    call: async () => {
      await runWithRequestContext({ requestId: REQUEST_ID }, () => client.getProduct(REQUEST));
    },
    close: () => client.close(),
  };
}
