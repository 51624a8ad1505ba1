import { randomBytes } from 'node:crypto';

/** Time-ordered ids: lexical order is creation order, which the alert index relies on. */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}
