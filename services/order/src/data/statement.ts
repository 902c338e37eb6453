import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

/** Every statement name given out, with its text: a name must never stand for two texts on one connection. */
const textByName = new Map<string, string>();
const generatedNames = new Map<string, string>();

function register(name: string, text: string): void {
  const known = textByName.get(name);
  if (known === undefined) textByName.set(name, text);
  else if (known !== text) throw new Error(`Prepared statement name ${name} is already used for another text`);
}

/**
 * A named (prepared) statement: PostgreSQL parses and plans it once per pooled connection instead of on every
 * call. The name reads in traces (OpenTelemetry's pg spans are named after it): `order_<label>`, e.g.
 * order_claim_stale. Giving one label two texts throws at first use, which every data-layer test reaches.
 */
export function statement(label: string, text: string, values: unknown[]): QueryConfig {
  const name = `order_${label}`;
  register(name, text);
  return { name, text, values };
}

/**
 * A statement whose text is built from parts (see transition-statement.ts): one name per distinct text,
 * `order_<label>_<hash of the text>`, so the trace still says what it is and two shapes never share a name.
 */
export function generatedStatement(label: string, text: string, values: unknown[]): QueryConfig {
  let name = generatedNames.get(text);
  if (name === undefined) {
    name = `order_${label}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    register(name, text);
    generatedNames.set(text, name);
  }
  return { name, text, values };
}
