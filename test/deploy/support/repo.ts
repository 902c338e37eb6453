import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);

export const readRepoFile = (relative: string): string => fs.readFileSync(repoPath(relative), 'utf8');

export const existsInRepo = (relative: string): boolean => fs.existsSync(repoPath(relative));

/** Narrowing helpers: the YAML documents are untyped, and a wrong shape must fail with a useful message. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value as Json[];
}

export function asString(value: unknown, what: string): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, what);
}

/** Compose files use YAML 1.1 merge keys (`<<: *anchor`), which docker compose resolves. */
export function readYaml(relative: string): Json {
  return parse(readRepoFile(relative), { merge: true }) as Json;
}

export function readYamlDocuments(relative: string): JsonObject[] {
  return parseAllDocuments(readRepoFile(relative), { merge: true })
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${relative}: ${document.errors[0]?.message}`);
      return document.toJS() as Json;
    })
    .filter((document): document is JsonObject => isObject(document));
}

/** KEY=VALUE lines of a dotenv file (comments and blank lines skipped), as docker compose reads `.env`. */
export function parseEnvFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a KEY=VALUE line: ${line}`);
    result[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return result;
}
