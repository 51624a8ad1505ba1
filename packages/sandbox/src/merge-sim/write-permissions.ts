import { CrmSimError } from './sim-errors.ts';

/**
 * Which linked accounts may write notes, keyed by account token. In Merge a write needs the Note model's
 * write scope on the linked account; without it the POST fails with DISABLED_MODEL_WRITE. Every account
 * may write until told otherwise.
 */
export function createWritePermissions(knownTokens: readonly string[]) {
  const noteWritesOff = new Set<string>();

  const known = (token: string) => knownTokens.includes(token);
  const view = (token: string) => ({ account_token: token, note_writes_allowed: !noteWritesOff.has(token) });

  return {
    notesAllowed: (token: string) => !noteWritesOff.has(token),
    setNotesAllowed(token: string, allowed: boolean) {
      if (!known(token)) throw new CrmSimError(404, 'No linked account has that account token.');
      if (allowed) noteWritesOff.delete(token);
      else noteWritesOff.add(token);
      return view(token);
    },
    snapshot(token: string) {
      if (!known(token)) throw new CrmSimError(404, 'No linked account has that account token.');
      return view(token);
    },
  };
}

export type WritePermissions = ReturnType<typeof createWritePermissions>;
