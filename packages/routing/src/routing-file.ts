import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { validateRouting } from './routing-problems.ts';
import type { RoutingDocument } from './routing-schema.ts';

/** ROUTING_FILE: YAML or JSON (JSON is YAML), checked by the same schema as PUT /routing. */
export function loadRoutingFile(file: string): { routing: RoutingDocument; text: string } {
  const text = readFileSync(file, 'utf8');
  let input: unknown;
  try {
    input = parse(text);
  } catch (err) {
    throw new Error(`ROUTING_FILE ${file}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const checked = validateRouting(input);
  if (!checked.ok) throw new Error(`ROUTING_FILE ${file}:\n${checked.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  return { routing: checked.routing, text };
}
