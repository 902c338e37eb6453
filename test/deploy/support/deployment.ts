import fs from 'node:fs';
import path from 'node:path';
import { type ComposeService } from './compose';
import { finalWorkdir, parseDockerfile } from './dockerfile';
import { repoPath } from './repo';

/** What the compose `<svc>-migrate` containers and the k8s migration Jobs run, in the service's folder. */
export const MIGRATE_COMMAND = ['node', '../../packages/platform/bin/shop-prisma.js', 'migrate', 'deploy'];

/** The V8 flags every process starts with, in the image (read by node itself through --env-file). */
export const NODE_OPTIONS_IMAGE_PATH = '/app/deploy/node-options.env';

/** What the image runs (Dockerfile CMD), in the process's folder: the bundle `npm run build` writes, plain node. */
export const START_COMMAND = ['node', `--env-file=${NODE_OPTIONS_IMAGE_PATH}`, 'dist/main.js'];

/** The compiled healthcheck script the compose healthchecks run (built from deploy/healthcheck.ts). */
export const HEALTHCHECK_SCRIPT = '/app/deploy/dist/healthcheck.js';

/** The repo is copied to /app in the image (Dockerfile WORKDIR /app): container paths map back to it. */
export const IMAGE_ROOT = '/app';

export function repoPathOfImagePath(imagePath: string): string {
  if (imagePath !== IMAGE_ROOT && !imagePath.startsWith(`${IMAGE_ROOT}/`)) throw new Error(`${imagePath} is not under ${IMAGE_ROOT}`);
  return imagePath.slice(IMAGE_ROOT.length).replace(/^\//, '');
}

/** A command word with its image path mapped into the repo: `/app/x` and `--flag=/app/x` alike; others unchanged. */
export function mapImagePaths(word: string, toRepoPath: (relative: string) => string): string {
  const match = /^(--[\w-]+=)?(\/.*)$/.exec(word);
  const imagePath = match?.[2];
  if (imagePath === undefined || !imagePath.startsWith(`${IMAGE_ROOT}/`)) return word;
  return `${match?.[1] ?? ''}${toRepoPath(repoPathOfImagePath(imagePath))}`;
}

/** `dns:///host:port` or `host:port`. */
export function parseGrpcTarget(target: string): { scheme: string; host: string; port: number } {
  const match = /^(?:(dns):\/\/\/)?([^:/]+):(\d+)$/.exec(target);
  if (!match) throw new Error(`not a gRPC target: ${target}`);
  return { scheme: match[1] ?? '', host: match[2] ?? '', port: Number(match[3]) };
}

/** The service has Prisma migrations (a folder with migration.sql under prisma/migrations). */
export function migrationNames(serviceDir: string): string[] {
  const dir = repoPath(serviceDir, 'prisma', 'migrations');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(repoPath(serviceDir, 'prisma', 'migrations', entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
}

/** The statements of an SQL script: comments and blank lines dropped, so that two copies compare by content. */
export function sqlStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trim())
    .filter((line) => line.length > 0);
}

/** Databases the init SQL creates, each with its owner role and the environment variable holding its password. */
export function initSqlDatabases(text: string): { database: string; owner: string; passwordEnv: string }[] {
  const statements = sqlStatements(text).join('\n');
  const passwordVariable = new Map<string, string>();
  for (const match of statements.matchAll(/^\\getenv\s+(\w+)\s+(\w+)$/gm)) passwordVariable.set(match[1] ?? '', match[2] ?? '');
  const rolePassword = new Map<string, string>();
  for (const match of statements.matchAll(/CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)'/g)) {
    rolePassword.set(match[1] ?? '', passwordVariable.get(match[2] ?? '') ?? '');
  }
  return [...statements.matchAll(/CREATE DATABASE (\w+) OWNER (\w+)/g)].map((match) => ({
    database: match[1] ?? '',
    owner: match[2] ?? '',
    passwordEnv: rolePassword.get(match[2] ?? '') ?? '',
  }));
}

/** Where the image runs a compose service's process: the Dockerfile's WORKDIR for its build args, mapped into the repo. */
export function workdirOf(container: ComposeService): string {
  return repoPath(repoPathOfImagePath(finalWorkdir(parseDockerfile(path.join(container.build?.context ?? '.', container.build?.dockerfile ?? 'Dockerfile')), container.build?.args ?? {})));
}
