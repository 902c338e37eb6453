import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/**
 * A named (prepared) statement: PostgreSQL parses and plans it once per pooled connection instead of on every
 * call. The name is derived from the text, so statements built from parts (see transition-statement.ts) get
 * one name per distinct text and never collide.
 */
export function statement(text: string, values: unknown[]): QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `order_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
