import type { RedisClient } from '@dda/redis';
import { followUpKeys } from './follow-up-keys.ts';
import type { NoteWriter } from './follow-up-deps.ts';

export type NotePermission = { canWrite: boolean; reason: string | null; checked_at: string };

/** A day: write scopes change by hand in Merge's dashboard, rarely; a refusal at write time resets it at once. */
const META_TTL_SECONDS = 24 * 3600;

/**
 * Whether the linked account may write notes, from GET /crm/v1/notes/meta/post — asked once per account
 * and day, not before every note. An account that cannot is recorded as such (the accounts API and the
 * page show why) and no write is attempted for it.
 */
export async function notePermission(redis: RedisClient, prefix: string, writer: NoteWriter): Promise<NotePermission> {
  const known = await knownNotePermission(redis, prefix, writer.account);
  if (known) return known;
  const meta = await writer.noteWriteMeta();
  return recordNotePermission(redis, prefix, writer.account, meta.canWrite, meta.reason);
}

export async function recordNotePermission(
  redis: RedisClient,
  prefix: string,
  account: string,
  canWrite: boolean,
  reason: string | null,
): Promise<NotePermission> {
  const key = followUpKeys(prefix).noteMeta(account);
  const checked_at = new Date().toISOString();
  await redis
    .multi()
    .hset(key, 'can_write', canWrite ? '1' : '0', 'reason', reason ?? '', 'checked_at', checked_at)
    .expire(key, META_TTL_SECONDS)
    .exec();
  return { canWrite, reason, checked_at };
}

/** What is known of an account's note writes, without asking Merge (null: not checked yet). */
export async function knownNotePermission(redis: RedisClient, prefix: string, account: string): Promise<NotePermission | null> {
  const h = await redis.hgetall(followUpKeys(prefix).noteMeta(account));
  return h['checked_at'] ? { canWrite: h['can_write'] === '1', reason: h['reason'] || null, checked_at: h['checked_at'] } : null;
}
