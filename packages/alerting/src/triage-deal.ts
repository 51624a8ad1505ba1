import { decideAlert, snapshotOf, type TriageRules } from '@dda/domain';
import { toDealFacts, toDealView, type DealView, type MergeClient } from '@dda/merge';
import type { AlertsRepository, NewAlert } from '@dda/store';
import type { Logger } from '@dda/logger';

export type TriageDeps = { merge: MergeClient; alerts: AlertsRepository; rules: TriageRules; log: Logger; cooldownSeconds?: number };

export type TriageResult =
  | { alerted: true; alertId: string; duplicate: boolean; reason: string }
  | { alerted: false; reason: string };

export function alertDoc(view: DealView, previousStage: string | null, decision: { reason: string; reasons: NewAlert['reasons'] }, source: NewAlert['source']): NewAlert {
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

/**
 * Fetches the deal as Merge sees it now (webhook data is only a hint: relations are ids and may be stale),
 * decides with the pure rules against the remembered snapshot, and records both in one atomic step.
 */
export async function triageDeal(deps: TriageDeps, opportunityId: string, source: NewAlert['source']): Promise<TriageResult> {
  const view = toDealView(await deps.merge.getOpportunity(opportunityId));
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
        ? { alert: { doc: alertDoc(view, prev?.stage ?? null, decision, source), changeKey: decision.changeKey } }
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
