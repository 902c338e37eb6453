// One fetch helper for the edge's own tests and the whole-system tests.
export { call, type CallInit, type CallResult } from '../../edge-api/test/support/http';
