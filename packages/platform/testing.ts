// `import { createTestDatabase } from '@shop/platform/testing'`: test-only helpers, kept out of the runtime entry.
export * from './src/testing';
