import type { RedisClient } from '@dda/redis';
import type { AlertsRepository } from '@dda/store';
import { followUpKeys } from './follow-up-keys.ts';

export type DeliveryResult = { recorded: true; alertId: string } | { recorded: false; reason: 'unknown_message' | 'duplicate' };

/**
 * A delivery event of one of our texts (`message.sent`, `message.finalized`) goes on its alert's timeline,
 * once per event id. A message we have no record of (a text whose send went unanswered, or not ours) is
 * answered but not recorded.
 */
export async function recordDelivery(
  deps: { redis: RedisClient; prefix: string; alerts: AlertsRepository },
  event: { id: string; messageId: string; status: string; error: string | null },
): Promise<DeliveryResult> {
  const keys = followUpKeys(deps.prefix);
  const m = await deps.redis.hgetall(keys.message(event.messageId));
  if (!m['alert_id']) return { recorded: false, reason: 'unknown_message' };
  const first = await deps.redis.set(`${keys.message(event.messageId)}:event:${event.id}`, '1', 'EX', 7 * 24 * 3600, 'NX');
  if (first !== 'OK') return { recorded: false, reason: 'duplicate' };
  await deps.alerts.addTimeline(m['alert_id'], 'sms.delivery', {
    recipient: m['recipient'] ?? '',
    ...(m['name'] ? { name: m['name'] } : {}),
    status: event.status,
    ...(event.error ? { error: event.error } : {}),
  });
  return { recorded: true, alertId: m['alert_id'] };
}
