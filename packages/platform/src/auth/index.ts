export * from './principal';
export * from './token-verifier';
export * from './jwks-from-user-service';
export * from './service-token-source';
