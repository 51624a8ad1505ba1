import { decideAlert, snapshotOf, type TriageRules } from '@dda/domain';
import {
  MergeApiError,
  opportunitySchema,
  toDealFacts,
  toDealView,
  type DealView,
  type MergeClient,
  type MergeDirectory,
} from '@dda/merge';
import type { CrmEventJob } from '@dda/queues';
import type { AlertsRepository, NewAlert } from '@dda/store';
import type { Logger } from '@dda/logger';
import type { BaselineGate } from './deal-baseline.ts';

export type TriageDeps = {
  merge: MergeClient;
  /** Names for the ids in webhook data. */
  directory: MergeDirectory;
  alerts: AlertsRepository;
  rules: TriageRules;
  log: Logger;
  cooldownSeconds?: number;
  /** Webhooks of an account wait for its baseline (the quiet first day); null turns the wait off. */
  baseline: BaselineGate | null;
  /** The Merge linked account the change came from: recorded on the alert, where routes match on it. */
  linkedAccountId?: string | null;
};

export type TriageResult = { alerted: true; alertId: string; duplicate: boolean; reason: string } | { alerted: false; reason: string };

export function alertDoc(
  view: DealView,
  previousStage: string | null,
  decision: { reason: string; reasons: NewAlert['reasons'] },
  source: NewAlert['source'],
): NewAlert {
  return {
    source,
    reason: decision.reason,
    reasons: decision.reasons,
    deal: {
      id: view.id,
      name: view.name,
      amount: view.amount,
      currency: view.currency,
      stage: view.stage,
      previous_stage: previousStage,
      account: view.account,
      owner: view.owner,
      close_date: view.closeDate,
    },
  };
}

type Change = Pick<CrmEventJob, 'opportunityId' | 'source' | 'event' | 'record'>;

/**
 * The deal as this change shows it. Merge's webhook carries the whole record (relations as ids, named from the
 * directory), so it costs no request; the deal is fetched only when the record is missing or unreadable, or
 * when the change came from the poll. A 404 is final: the deal is gone, and asking again only burns budget.
 */
async function dealOf(deps: TriageDeps, change: Change): Promise<DealView | 'gone'> {
  if (change.record && change.source === 'webhook') {
    const parsed = opportunitySchema.safeParse(change.record);
    if (parsed.success && parsed.data.id === change.opportunityId) {
      const view = toDealView(parsed.data, await deps.directory.namesFor(parsed.data));
      return change.event === 'removed' ? { ...view, deleted: true } : view;
    }
    const issue = parsed.success
      ? 'id differs from the event'
      : `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
    deps.log.warn({ deal_id: change.opportunityId, issue }, 'webhook data unreadable; fetching the deal');
  }
  try {
    return toDealView(await deps.merge.getOpportunity(change.opportunityId, { priority: change.source === 'poll' ? 'poll' : 'triage' }));
  } catch (err) {
    if (err instanceof MergeApiError && err.status === 404) return 'gone';
    throw err;
  }
}

/**
 * Decides with the pure rules against the remembered snapshot, and records both in one atomic step.
 * Webhooks of an account wait for its baseline first, so the first day rings only for real changes.
 */
export async function triageDeal(deps: TriageDeps, change: Change): Promise<TriageResult> {
  if (change.source === 'webhook') await deps.baseline?.ready();
  const found = await dealOf(deps, change);
  if (found === 'gone') return { alerted: false, reason: 'deal deleted (Merge answered 404)' };
  const view = found;
  const source = change.source;
  const facts = toDealFacts(view);
  for (let attempt = 0; attempt < 10; attempt++) {
    const prev = await deps.alerts.getSnapshot(view.id);
    if (prev?.modifiedAt && view.modifiedAt && view.modifiedAt < prev.modifiedAt) {
      return { alerted: false, reason: 'older than the deal state already seen' };
    }
    const decision = decideAlert(prev, facts, deps.rules);
    const snapshot = { ...snapshotOf(facts, deps.rules), modifiedAt: view.modifiedAt, seenAt: new Date().toISOString() };
    const res = await deps.alerts.recordSighting({
      dealId: view.id,
      expectedVersion: prev?.version ?? 0,
      snapshot,
      cooldownSeconds: deps.cooldownSeconds ?? 0,
      ...(decision.alert
        ? {
            alert: {
              doc: {
                ...alertDoc(view, prev?.stage ?? null, decision, source),
                ...(deps.linkedAccountId ? { linked_account_id: deps.linkedAccountId } : {}),
              },
              changeKey: decision.changeKey,
            },
          }
        : {}),
    });
    if (res.kind === 'conflict') continue;
    if (res.kind === 'unchanged') return { alerted: false, reason: decision.reason };
    if (res.kind === 'cooldown') return { alerted: false, reason: `cooldown: the deal alerted recently (${res.lastAlertId})` };
    const reason = decision.alert ? decision.reason : '';
    return { alerted: true, alertId: res.alertId, duplicate: res.kind === 'duplicate', reason };
  }
  throw new Error(`deal ${view.id}: snapshot kept changing under triage`);
}
