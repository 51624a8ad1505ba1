import type { Redis } from 'ioredis';
import { createLogger } from '@dda/logger';
import { createQueues } from '@dda/queues';
import { createAlertPlans, createRoutingStore, currentRoutingSource, routingFromEnv } from '@dda/routing';
import { createAlertsRepository } from '@dda/store';
import type { CallDeps, CallSettings } from '../../src/call-deps.ts';
import { createCallsRepository } from '../../src/calls-repository.ts';

/** Call settings as a test starts from them: no retries, no quiet hours, production's timings. */
export function testCallSettings(overrides: Partial<CallSettings> = {}): CallSettings {
  return {
    connectionId: 'conn',
    from: '+15550100000',
    webhookUrl: 'http://localhost/webhooks/voice',
    voice: 'v',
    vpNumber: null,
    vpName: 'the VP of Sales',
    escalation: [],
    retryAttempts: 0,
    retryDelayMs: 0,
    snoozeMs: 60_000,
    answerTimeoutMs: 8000,
    stallMs: 15_000,
    speechMsPerChar: 80,
    ringTimeoutSecs: 30,
    timeZone: 'UTC',
    quietHours: '',
    urgentAmount: null,
    inboundLookbackMs: 24 * 3600_000,
    inboundPinSet: false,
    ...overrides,
  };
}

/** The package's real repositories and queues on the test's Redis and prefix; the rest from the test. */
export function testCallDeps(
  redis: Redis,
  prefix: string,
  parts: Pick<CallDeps, 'telnyx' | 'settings'> & Partial<Pick<CallDeps, 'directory' | 'routing'>> & { service: string },
): CallDeps {
  const { service, directory, routing, ...rest } = parts;
  return {
    calls: createCallsRepository(redis, prefix),
    alerts: createAlertsRepository(redis, prefix),
    queues: createQueues(redis, prefix),
    directory: directory ?? [],
    ...(routing ? { routing } : {}),
    log: createLogger({ service, level: 'silent' }),
    ...rest,
  };
}

/**
 * The routing as a deployment without a routing document has it (one VP from the environment), on the test's
 * Redis: a document saved to this prefix's store takes over, as in production.
 */
export function envRouting(redis: Redis, prefix: string, vp: { number: string; name: string }): NonNullable<CallDeps['routing']> {
  return {
    current: currentRoutingSource(
      createRoutingStore(redis, prefix),
      routingFromEnv({ VP_SALES_NUMBER: vp.number, VP_NAME: vp.name, ESCALATION_NUMBERS: [], VP_TIMEZONE: 'UTC', QUIET_HOURS: '' }, []),
    ),
    plans: createAlertPlans(redis, prefix),
  };
}
