// Token forging for rejected-token tests: the edge tests and the whole-system tests share one implementation.
export * from '../../edge-api/test/support/tokens';
