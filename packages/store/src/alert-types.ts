import type { AlertDeal, AlertReason } from '@dda/domain';

export type { AlertDeal };

export type AlertStatus = 'pending' | 'waiting' | 'calling' | 'completed' | 'failed';
export type AlertOutcome = 'connected' | 'acknowledged' | 'snoozed' | 'ae_unavailable' | 'voicemail' | 'no_answer' | 'escalated' | 'failed';

export type Briefing = {
  text: string;
  headline: string;
  model: string | null;
  latency_ms: number | null;
  fallback: boolean;
  fallback_reason: string | null;
  written_at: string;
};

export type TimelineEntry = { at: string; event: string; [k: string]: unknown };

export type Alert = {
  id: string;
  created_at: string;
  source: 'webhook' | 'poll' | 'manual';
  status: AlertStatus;
  outcome: AlertOutcome | null;
  outcome_reason: string | null;
  /** Seconds the VP and the AE talked, filled in at the hangup of a connected call. */
  talk_seconds: number | null;
  reason: string;
  reasons: (AlertReason | 'manual')[];
  deal: AlertDeal;
  /** The Merge linked account the deal belongs to; absent for manual alerts and single-account deployments. Routes match on it. */
  linked_account_id?: string | null;
  briefing: Briefing | null;
  timeline: TimelineEntry[];
};

export type NewAlert = Omit<
  Alert,
  'id' | 'created_at' | 'status' | 'outcome' | 'outcome_reason' | 'talk_seconds' | 'briefing' | 'timeline'
>;
