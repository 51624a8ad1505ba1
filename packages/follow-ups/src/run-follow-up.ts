import { followUpText } from '@dda/domain';
import type { FollowUpDeps } from './follow-up-deps.ts';
import { writeNoteOnce, type NoteResult } from './crm-note.ts';
import { textOnce, textRecipients, type TextResult } from './sms-follow-up.ts';

export type FollowUpResult =
  | { done: false; reason: 'alert_missing' | 'outcome_changed' }
  | { done: true; note: NoteResult; texts: TextResult[] };

/**
 * The follow-ups of one alert outcome: the note on the deal, then the texts. Each step keeps its own
 * once-only marker, so a retried job redoes only what is not done; a note Merge is slow to take does not
 * hold the texts back (they go first when the note throws for a retry).
 */
export async function runFollowUp(deps: FollowUpDeps, job: { alertId: string; outcome: string }): Promise<FollowUpResult> {
  const alert = await deps.alerts.get(job.alertId);
  if (!alert) return { done: false, reason: 'alert_missing' };
  // A later outcome (a call back that connected) has a job of its own.
  if (alert.outcome !== job.outcome) return { done: false, reason: 'outcome_changed' };

  const texts: TextResult[] = [];
  const smsReady = deps.sms.mode !== 'off' && deps.sms.messagingProfileId !== null;
  if (smsReady) {
    const recipients = textRecipients(alert.timeline, deps.sms.mode);
    if (recipients.length > 0) {
      const plan = await deps.sms.plans.get(alert.id);
      const text = followUpText({
        account: alert.deal.account,
        deal: alert.deal.name,
        amount: alert.deal.amount,
        currency: alert.deal.currency,
        stageFrom: alert.deal.previous_stage,
        stageTo: alert.deal.stage,
        callBackNumber: deps.sms.from,
      });
      for (const r of recipients) {
        const phone = plan?.call.find((c) => c.id === r.id)?.phone ?? null;
        texts.push(await textOnce(deps, alert, r, phone, text));
      }
    }
  }
  const note = await writeNoteOnce(deps, alert, job.outcome);
  return { done: true, note, texts };
}
