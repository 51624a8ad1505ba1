import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { repSchema, type Rep } from './routing-schema.ts';

/** REP_DIRECTORY_FILE, the rep directory before routing documents: a JSON list of the document's `reps`. */
export function loadRepDirectoryFile(file: string | undefined): Rep[] {
  if (!file) return [];
  const parsed = z.array(repSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`REP_DIRECTORY_FILE ${file}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
