import {
  cleanForSpeech,
  daysUntil,
  ownerName,
  spokenAmount,
  spokenDate,
  spokenDealName,
  spokenReason,
  stageMove,
  type ScriptFacts,
} from '@dda/domain';
import type { Alert } from '@dda/store';

/** A CRM note as Merge returns it (only what the briefing reads). */
export type NoteLike = { content?: string | null; remote_created_at?: string | null; created_at?: string | null };

/** Everything the briefing says, already in spoken form (amounts and dates in words, stages without slashes). */
export type BriefingContext = {
  alertId: string;
  /** The same facts the call script speaks from, so template and prompt agree. */
  facts: ScriptFacts;
  dealName: string;
  account: string | null;
  amount: string | null;
  stageFrom: string | null;
  stageTo: string | null;
  owner: string | null;
  closeDate: string | null;
  daysToClose: number | null;
  reason: string;
  /** Newest first, at most MAX_NOTES, each cleaned for speech and capped. */
  notes: string[];
};

export const MAX_NOTES = 3;
export const MAX_NOTE_CHARS = 280;

/** Manual alerts typed in by hand (`{deal_name, amount, stage}`) have no deal in the CRM, so no notes. */
export function hasCrmDeal(alert: Pick<Alert, 'deal'>): boolean {
  return !alert.deal.id.startsWith('manual-');
}

const stamp = (n: NoteLike) => n.remote_created_at ?? n.created_at ?? '';

export function buildBriefingContext(alert: Alert, notes: NoteLike[], now: Date): BriefingContext {
  const deal = alert.deal;
  const facts: ScriptFacts = {
    deal,
    reason: alert.reason,
    aiBriefing: null,
    aeName: null,
    vpName: 'the VP of Sales',
    waiting: 0,
    snoozeMinutes: 0,
    now,
  };
  return {
    alertId: alert.id,
    facts,
    dealName: spokenDealName(deal),
    account: deal.account,
    amount: deal.amount === null ? null : spokenAmount(deal.amount, deal.currency),
    stageFrom: stageMove(deal).from,
    stageTo: stageMove(deal).to,
    owner: ownerName(deal),
    closeDate: deal.close_date ? spokenDate(deal.close_date, now) : null,
    daysToClose: deal.close_date ? daysUntil(deal.close_date, now) : null,
    reason: spokenReason(alert.reason, deal),
    notes: [...notes]
      .sort((a, b) => (stamp(a) < stamp(b) ? 1 : stamp(a) > stamp(b) ? -1 : 0))
      .map((n) => cleanForSpeech(n.content ?? '', MAX_NOTE_CHARS))
      .filter((n) => n !== '')
      .slice(0, MAX_NOTES),
  };
}
