import type { Alert } from '@dda/store';
import type { FollowUpDeps } from './follow-up-deps.ts';
import { FOLLOW_UP_TTL_SECONDS, followUpKeys } from './follow-up-keys.ts';
import { noteContent, noteReference } from './note-content.ts';
import { notePermission, recordNotePermission } from './note-permission.ts';

/** Deals made up on the spot by POST /alert have no record in the CRM to write on. */
export const AD_HOC_DEAL_PREFIX = 'manual-';

/** POSTs of one note at most: the first, and one more only if the first's fate is unknown and it cannot be found. */
export const MAX_NOTE_POSTS = 2;

export type NoteResult = 'written' | 'found' | 'skipped' | 'failed' | 'already_done';

type WriteError = Error & { outcome?: 'not_written' | 'unknown'; problemType?: string; status?: number };

/** Merge's error for a linked account without write scope on notes. */
const NO_WRITE_SCOPE = 'DISABLED_MODEL_WRITE';

/**
 * One note on the deal per alert outcome, through the alert's linked account (its token, its budget).
 *
 * Merge's idempotency key is a beta that must be enabled per customer, so the once-only is ours: a marker
 * per (alert, outcome) is set to `claimed` before the POST and `written` after it. A POST whose fate is
 * unknown (a timeout, a 5xx, a worker killed between the POST and the marker) leaves `claimed`; the next
 * run looks for the note's reference among the deal's notes before writing again. Found: done, no second
 * note. Not found (Merge's listing may lag a write): one more POST — so a lost note is never the result of
 * a crash, and the cost is **at most one extra note**, never more (MAX_NOTE_POSTS). We chose that over
 * "at most once" because the note is the only trace of the alert that the AE and the pipeline see.
 */
export async function writeNoteOnce(deps: FollowUpDeps, alert: Alert, outcome: string): Promise<NoteResult> {
  const { redis, prefix, alerts, log } = deps;
  const key = followUpKeys(prefix).note(alert.id, outcome);
  const marker = await redis.hgetall(key);
  if (marker['state'] === 'written' || marker['state'] === 'failed' || marker['state'] === 'skipped') return 'already_done';
  const llog = log.child({ alert_id: alert.id });

  const skip = async (reason: string): Promise<NoteResult> => {
    await setMarker(deps, key, { state: 'skipped' });
    await alerts.addTimeline(alert.id, 'note.skipped', { outcome, reason });
    llog.info({ reason }, 'no note written on the deal');
    return 'skipped';
  };
  if (!deps.notes.enabled) return skip('CRM write-back is off (CRM_WRITE_BACK=off)');
  if (alert.deal.id.startsWith(AD_HOC_DEAL_PREFIX)) return skip('the alert has no deal in the CRM (a manual alert made up on the spot)');
  const writer = await deps.notes.forAccount(alert.linked_account_id ?? null);
  if (!writer) return skip(`no Merge token for linked account ${alert.linked_account_id ?? '(none)'}`);
  const permission = await notePermission(redis, prefix, writer);
  if (!permission.canWrite) return skip(`this linked account cannot write notes${permission.reason ? `: ${permission.reason}` : ''}`);

  const posts = Number(marker['posts'] ?? 0);
  if (marker['state'] === 'claimed' && posts > 0) {
    // An earlier POST's fate is unknown: look for it before writing again.
    const notes = await writer.listNotes(alert.deal.id, 100);
    const ref = noteReference(alert.id);
    if (notes.some((n) => (n.content ?? '').includes(ref))) {
      await setMarker(deps, key, { state: 'written', note_id: '' });
      await alerts.addTimeline(alert.id, 'note.written', { outcome, note_id: null, found_after_unknown: true });
      return 'found';
    }
    if (posts >= MAX_NOTE_POSTS) {
      await setMarker(deps, key, { state: 'failed' });
      await alerts.addTimeline(alert.id, 'note.failed', {
        outcome,
        reason: `no answer to ${posts} writes and the note is not among the deal's notes; not written again`,
        outcome_unknown: true,
      });
      return 'failed';
    }
  }

  // The claim and the count go down before the request leaves: a crash after this line is a POST of unknown fate.
  await redis.multi().hset(key, 'state', 'claimed').hincrby(key, 'posts', 1).expire(key, FOLLOW_UP_TTL_SECONDS).exec();
  try {
    const note = await writer.createNote({ opportunity: alert.deal.id, content: noteContent(alert) });
    await setMarker(deps, key, { state: 'written', note_id: note.id ?? '' });
    await alerts.addTimeline(alert.id, 'note.written', { outcome, note_id: note.id });
    llog.info({ note_id: note.id, warnings: note.warnings.length }, 'note written on the deal');
    return 'written';
  } catch (err) {
    const e = err as WriteError;
    if (e.outcome === 'not_written' && (e.status === 429 || e.status === 0)) {
      // Nothing was written (Merge asked us to wait, or the request never left): this POST does not count,
      // the job's retry tries again.
      await redis.hincrby(key, 'posts', -1);
      throw err;
    }
    if (e.outcome === 'not_written') {
      if (e.problemType === NO_WRITE_SCOPE) await recordNotePermission(redis, prefix, writer.account, false, NO_WRITE_SCOPE);
      await setMarker(deps, key, { state: 'failed' });
      await alerts.addTimeline(alert.id, 'note.failed', {
        outcome,
        reason: e.message,
        ...(e.problemType ? { problem: e.problemType } : {}),
      });
      llog.warn({ err: e.message, problem: e.problemType }, 'Merge refused the note');
      return 'failed';
    }
    // Unknown fate (or a failure before the request left): the marker stays claimed; the retry looks first.
    llog.warn({ err: e.message }, 'note write unanswered; the retry looks for it before writing again');
    throw err;
  }
}

async function setMarker(deps: FollowUpDeps, key: string, fields: Record<string, string>): Promise<void> {
  await deps.redis.multi().hset(key, fields).expire(key, FOLLOW_UP_TTL_SECONDS).exec();
}
