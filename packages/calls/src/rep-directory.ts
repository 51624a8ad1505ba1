import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const repDirectorySchema = z.array(
  z.object({ email: z.string().email(), name: z.string().min(1), phone: z.string().regex(/^\+[1-9]\d{6,14}$/) }),
);
export type RepDirectory = z.infer<typeof repDirectorySchema>;

/** Merge CRM users carry no phone number (docs/vendor-facts.md#merge-api), so the AE's number comes from our own directory. */
export function loadRepDirectory(file: string | undefined): RepDirectory {
  if (!file) return [];
  const parsed = repDirectorySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`REP_DIRECTORY_FILE ${file}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function findRep(directory: RepDirectory, email: string | null | undefined) {
  if (!email) return null;
  const e = email.trim().toLowerCase();
  return directory.find((r) => r.email.toLowerCase() === e) ?? null;
}
