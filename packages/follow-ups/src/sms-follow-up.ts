import type { Alert, TimelineEntry } from '@dda/store';
import type { FollowUpDeps } from './follow-up-deps.ts';
import { FOLLOW_UP_TTL_SECONDS, followUpKeys } from './follow-up-keys.ts';

/** Call results that mean the person was on the line. */
const REACHED = new Set(['connected', 'acknowledged', 'snoozed', 'ae_unavailable']);

export type TextRecipient = { id: string; name: string | null };

/**
 * Who gets a text, from the alert's own record of its calls: `missed` — everyone rung whose every ring went
 * unanswered (no answer, voicemail, escalated past); `always` — everyone rung. Nobody rung, nobody texted.
 */
export function textRecipients(timeline: TimelineEntry[], mode: 'missed' | 'always' | 'off'): TextRecipient[] {
  if (mode === 'off') return [];
  const seen = new Map<string, { name: string | null; reached: boolean }>();
  for (const t of timeline) {
    if (t.event !== 'call.ended') continue;
    const id = typeof t['recipient'] === 'string' ? t['recipient'] : null;
    if (!id) continue;
    const prev = seen.get(id);
    const reached = (prev?.reached ?? false) || REACHED.has(String(t['result']));
    seen.set(id, { name: typeof t['name'] === 'string' ? t['name'] : (prev?.name ?? null), reached });
  }
  return [...seen.entries()].filter(([, v]) => mode === 'always' || !v.reached).map(([id, v]) => ({ id, name: v.name }));
}

export type TextResult = { recipient: string; result: 'sent' | 'already_claimed' | 'failed' | 'unknown' | 'no_number' };

/**
 * One text per alert to each recipient the rule picks. **At most once**: the marker is claimed before the
 * request leaves and never cleared unless the vendor's answer proves nothing went out (a 4xx). A timeout or
 * a 5xx after Telnyx may have accepted leaves it claimed: the text is reported as possibly not delivered
 * rather than sent again. A duplicate text interrupts a person twice and counts against the sending number's
 * reputation; a missing one still leaves the voicemail and the call-back number. The SDK's own retries are
 * off for the same reason (packages/telnyx/src/messaging.ts).
 */
export async function textOnce(
  deps: FollowUpDeps,
  alert: Alert,
  to: TextRecipient,
  phone: string | null,
  text: string,
): Promise<TextResult> {
  const { redis, prefix, alerts, sms } = deps;
  const keys = followUpKeys(prefix);
  const name = to.name ? { name: to.name } : {};
  if (!phone) {
    await alerts.addTimeline(alert.id, 'sms.failed', {
      recipient: to.id,
      ...name,
      reason: 'no phone number for this recipient in the alert plan',
    });
    return { recipient: to.id, result: 'no_number' };
  }
  const claimed = await redis.set(keys.sms(alert.id, to.id), 'claimed', 'EX', FOLLOW_UP_TTL_SECONDS, 'NX');
  if (claimed !== 'OK') return { recipient: to.id, result: 'already_claimed' };
  try {
    const sent = await sms.send({
      from: sms.from,
      to: phone,
      text,
      messagingProfileId: sms.messagingProfileId ?? '',
      webhookUrl: sms.webhookUrl,
    });
    // The message's pointer first (its delivery webhook may come at once), then the text's marker: two keys
    // in two slots under Redis Cluster, so two writes; a crash between leaves the marker `claimed`, never sent twice.
    await redis
      .multi()
      .hset(keys.message(sent.id), 'alert_id', alert.id, 'recipient', to.id, 'name', to.name ?? '')
      .expire(keys.message(sent.id), 7 * 24 * 3600)
      .exec();
    await redis.set(keys.sms(alert.id, to.id), `sent:${sent.id}`, 'EX', FOLLOW_UP_TTL_SECONDS);
    await alerts.addTimeline(alert.id, 'sms.sent', { recipient: to.id, ...name, status: sent.status, parts: sent.parts });
    return { recipient: to.id, result: 'sent' };
  } catch (err) {
    const reason = sms.describe(err);
    if ((err as { status?: number }).status === 429) {
      // Refused for now, so not sent, and worth another try: the claim goes, the job's retry sends it.
      await redis.del(keys.sms(alert.id, to.id));
      throw err;
    }
    if (sms.definitelyNotSent(err)) {
      await redis.set(keys.sms(alert.id, to.id), 'failed', 'EX', FOLLOW_UP_TTL_SECONDS);
      await alerts.addTimeline(alert.id, 'sms.failed', { recipient: to.id, ...name, reason });
      return { recipient: to.id, result: 'failed' };
    }
    await alerts.addTimeline(alert.id, 'sms.failed', { recipient: to.id, ...name, reason, outcome_unknown: true });
    deps.log.warn({ alert_id: alert.id, recipient: to.id, err: reason }, 'text unanswered: not sent again (at most once)');
    return { recipient: to.id, result: 'unknown' };
  }
}
