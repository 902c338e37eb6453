import type { JWK } from 'jose';
import type { GetJwksRequest, GetJwksResponse } from '@shop/proto/gen/shop/user/v1/user';

interface JwksSource {
  getJwks(request: GetJwksRequest): Promise<GetJwksResponse>;
}

/** Key source for createTokenVerifier that reads the user service's public keys over gRPC. */
export function jwksFromUserService(userService: JwksSource): () => Promise<JWK[]> {
  return async () => {
    const response = await userService.getJwks({});
    return response.keys.map((key) => {
      const jwk: JWK = { kty: key.kty, kid: key.kid };
      if (key.crv) jwk.crv = key.crv;
      if (key.x) jwk.x = key.x;
      if (key.y) jwk.y = key.y;
      if (key.alg) jwk.alg = key.alg;
      if (key.use) jwk.use = key.use;
      return jwk;
    });
  };
}
