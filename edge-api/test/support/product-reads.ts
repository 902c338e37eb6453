import { status } from '@grpc/grpc-js';
import type { BatchGetProductsRequest, BatchGetProductsResponse, GetProductResponse } from '@shop/proto/gen/shop/product/v1/product';
import type { FakeAnswer, FakeHandler, RecordedCall } from './fake-services';
import { product } from './fixtures';

/**
 * A BatchGetProducts fake answering each id as a GetProduct fake would, with the real service's rules: an unknown
 * id (NOT_FOUND) is left out when allow_missing is set and fails the whole call otherwise; any other error fails
 * the whole call.
 */
export function batchGetByEach(
  answerFor: (id: string) => FakeAnswer<GetProductResponse> | Promise<FakeAnswer<GetProductResponse>>,
): FakeHandler<BatchGetProductsRequest, BatchGetProductsResponse> {
  return async ({ ids, allowMissing }) => {
    const products: BatchGetProductsResponse['products'] = [];
    for (const id of ids) {
      const answer = await answerFor(id);
      if ('error' in answer) {
        if (answer.error.code === status.NOT_FOUND && allowMissing) continue;
        return answer;
      }
      if (answer.ok.product) products.push(answer.ok.product);
    }
    return { ok: { products } };
  };
}

/** The ids each recorded BatchGetProducts call asked for, in call order. */
export const batchedIds = (calls: readonly RecordedCall[]): string[][] =>
  calls.filter((recorded) => recorded.path.endsWith('/BatchGetProducts')).map((recorded) => (recorded.request as BatchGetProductsRequest).ids);

/** A catalog where every id asked for exists (see fixtures' product). */
export const everyProductExists = batchGetByEach((id) => ({ ok: { product: product(id) } }));
