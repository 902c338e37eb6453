// The one place the shop's processes get their Node/V8 flags from: deploy/node-options.env, read by node itself
// (`node --env-file=<file> dist/main.js`) in the images, under `npm start` and in the bench alike.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './build';

export const NODE_OPTIONS_FILE = path.join(REPO_ROOT, 'deploy', 'node-options.env');

/** The flags node puts before a process's entry so that it reads NODE_OPTIONS_FILE. */
export function runtimeNodeArgs(): string[] {
  return [`--env-file=${NODE_OPTIONS_FILE}`];
}

/** NODE_OPTIONS as the file sets it (quotes removed); undefined when the file sets none. */
export function fileNodeOptions(file: string = NODE_OPTIONS_FILE): string | undefined {
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((raw) => raw.trim())
    .find((raw) => raw.startsWith('NODE_OPTIONS='));
  if (line === undefined) return undefined;
  return line.slice('NODE_OPTIONS='.length).replace(/\s+#.*$/, '').replace(/^(['"])(.*)\1$/, '$2');
}

/**
 * Node lets an inherited NODE_OPTIONS win over the file's: say so, since the processes then run without the flags
 * sized for them. Undefined when nothing is overridden.
 */
export function overriddenNodeOptionsWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const inherited = env.NODE_OPTIONS;
  if (inherited === undefined || inherited === '') return undefined;
  return `NODE_OPTIONS="${inherited}" is set: it replaces the flags of ${path.relative(process.cwd(), NODE_OPTIONS_FILE) || NODE_OPTIONS_FILE} in every process`;
}
