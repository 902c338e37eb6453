/**
 * Ids per BatchGetProducts: half the product service's limit (100, see product.proto), because the answer must fit
 * gRPC's default 4 MiB receive limit, and a product at its field limits (5,000-character description, ten 2,048-character
 * image URLs) can take ~41 KB. Larger calls would gain next to nothing: a busy edge gathers a few dozen reads a turn.
 * A module of its own, free of imports, so that the bench's bare baseline can share it.
 */
export const MAX_PRODUCTS_PER_CALL = 50;
