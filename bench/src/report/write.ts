import fs from 'node:fs';
import path from 'node:path';
import type { BenchResults } from './model';

/** bench/results/<timestamp>.json and latest.json, the same content. */
export function writeResults(results: BenchResults, folder: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const file = path.join(folder, `${stamp}.json`);
  const json = `${JSON.stringify(results, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
  fs.writeFileSync(file, json);
  fs.writeFileSync(path.join(folder, 'latest.json'), json);
  return file;
}
