import type { RedisClient } from '@dda/redis';
import type { DialPlan } from './dial-plan.ts';

const WEEK = 7 * 24 * 3600;

/**
 * Each alert's dial plan, fixed the first time it is dialled. Kept beside the alert rather than in it: it
 * holds phone numbers, and the alert is what GET /alerts/:id answers.
 */
export function createAlertPlans(redis: RedisClient, prefix: string) {
  const key = (alertId: string) => `${prefix}:alert:${alertId}:plan`;
  return {
    async get(alertId: string): Promise<DialPlan | null> {
      const raw = await redis.get(key(alertId));
      return raw ? (JSON.parse(raw) as DialPlan) : null;
    },
    /** The first plan stored wins: a re-run or a racing dialer gets the plan already fixed, not a new one. */
    async claim(alertId: string, plan: DialPlan): Promise<{ plan: DialPlan; claimed: boolean }> {
      const set = await redis.set(key(alertId), JSON.stringify(plan), 'EX', WEEK, 'NX');
      if (set === 'OK') return { plan, claimed: true };
      const raw = await redis.get(key(alertId));
      return { plan: raw ? (JSON.parse(raw) as DialPlan) : plan, claimed: false };
    },
  };
}

export type AlertPlans = ReturnType<typeof createAlertPlans>;
