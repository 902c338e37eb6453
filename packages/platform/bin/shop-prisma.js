#!/usr/bin/env node
'use strict';
// Runs the Prisma CLI of this repo fully offline: Prisma 6.19 downloads engine binaries before any command
// unless these variables point at an existing file, and the wasm schema engine (engine: 'js' in each
// service's prisma.config.ts) makes the binaries unnecessary. Run it from a service folder.
const { spawnSync } = require('node:child_process');

const placeholder = process.execPath;
const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY || placeholder,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || placeholder,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  // `prisma generate` only needs the variable to exist; commands that connect get a real one.
  DATABASE_URL: process.env.DATABASE_URL || 'postgresql://unused@127.0.0.1:1/unused',
};
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  env,
  stdio: 'inherit',
  cwd: process.cwd(),
});
if (result.error) {
  console.error(`shop-prisma: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
