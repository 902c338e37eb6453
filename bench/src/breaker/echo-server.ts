// A gRPC ProductService whose GetProduct answers a fixed product from memory: the far end of the breaker
// micro-benchmark, so that only client-side costs differ between the two clients measured.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ProductServiceService, type GetProductRequest, type GetProductResponse } from '@shop/proto/gen/shop/product/v1/product';

const now = new Date();
const product: GetProductResponse['product'] = {
  id: '00000000-0000-4000-8000-000000000001',
  sku: 'BENCH-0000001',
  name: 'Compact lamp 1',
  description: 'A durable lamp for everyday use, generated item number 1.',
  price: { currencyCode: 'USD', amountMinor: 1999n },
  category: 'home',
  imageUrls: [],
  active: true,
  createTime: now,
  updateTime: now,
  archiveTime: undefined,
};

const server = new Server();
server.addService(ProductServiceService, {
  getProduct(call: ServerUnaryCall<GetProductRequest, GetProductResponse>, callback: sendUnaryData<GetProductResponse>) {
    callback(null, { product: { ...product!, id: call.request.id || product!.id } });
  },
});
server.bindAsync(`127.0.0.1:${process.env.ECHO_PORT ?? '0'}`, ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
});
process.once('SIGTERM', () => server.forceShutdown());
process.once('SIGINT', () => server.forceShutdown());
