import type { Config } from '@dda/config';
import type { Logger } from '@dda/logger';
import type { Queues } from '@dda/queues';
import type { Alert, AlertsRepository } from '@dda/store';
import type { CallCommands } from '@dda/telnyx';
import type { MetricHooks } from '@dda/metrics';
import type { AlertPlans, CurrentRouting } from '@dda/routing';
import type { CallsRepository } from './calls-repository.ts';
import type { RepDirectory } from './rep-directory.ts';

export type CallSettings = {
  connectionId: string;
  from: string;
  webhookUrl: string;
  voice: string;
  vpNumber: string | null;
  vpName: string;
  escalation: string[];
  retryAttempts: number;
  retryDelayMs: number;
  snoozeMs: number;
  /** How long a prompt waits for a key or a word after it finished playing. */
  answerTimeoutMs: number;
  /** An answered leg left without audio or an awaited answer this long is re-prompted, then closed. */
  stallMs: number;
  /** Our estimate of how long the voice takes per character: when the watchdog expects a prompt to be over. */
  speechMsPerChar: number;
  ringTimeoutSecs: number;
  timeZone: string;
  quietHours: string;
  /** Deals at or above it ring even in quiet hours. */
  urgentAmount: number | null;
  /** A call back hears the caller's open alerts of this long (INBOUND_LOOKBACK_HOURS). */
  inboundLookbackMs: number;
  /** INBOUND_PIN is set: an unattested caller keys it (the ingress compares it; the PIN never reaches the workers' data). */
  inboundPinSet: boolean;
};

export type CallDeps = {
  calls: CallsRepository;
  alerts: AlertsRepository;
  queues: Queues;
  telnyx: CallCommands;
  directory: RepDirectory;
  /**
   * Who gets the call: the routing in force (read per alert, so a change needs no restart) and each alert's
   * plan, fixed at its first dial. Absent (package tests), the environment's routing applies.
   */
  routing?: { current: () => Promise<CurrentRouting>; plans: AlertPlans };
  settings: CallSettings;
  log: Logger;
  metrics?: Pick<MetricHooks, 'deadAir' | 'timeToDial'>;
  /** The VP's question about the deal, answered in a sentence or two (bounded in time by the provider). */
  answerQuestion?: (alert: Alert, question: string) => Promise<string>;
};

export function callSettingsFrom(config: Config): CallSettings {
  return {
    connectionId: config.vendors.telnyx.connectionId,
    from: config.vendors.telnyx.phoneNumber,
    webhookUrl: `${config.publicBaseUrl}/webhooks/voice`,
    voice: config.TTS_VOICE,
    vpNumber: config.VP_SALES_NUMBER ?? null,
    vpName: config.VP_NAME,
    escalation: config.ESCALATION_NUMBERS,
    retryAttempts: config.CALL_RETRY_ATTEMPTS,
    retryDelayMs: config.CALL_RETRY_DELAY_SECONDS * 1000,
    snoozeMs: config.SNOOZE_MINUTES * 60_000,
    answerTimeoutMs: 8000,
    stallMs: config.CALL_STALL_SECONDS * 1000,
    speechMsPerChar: config.TTS_MS_PER_CHAR,
    ringTimeoutSecs: 30,
    timeZone: config.VP_TIMEZONE,
    quietHours: config.QUIET_HOURS,
    urgentAmount: config.URGENT_AMOUNT ?? null,
    inboundLookbackMs: config.INBOUND_LOOKBACK_HOURS * 3600_000,
    inboundPinSet: config.INBOUND_PIN !== undefined,
  };
}
