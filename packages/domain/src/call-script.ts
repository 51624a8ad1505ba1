import type { Prompt } from './call-machine.ts';
import { cleanForSpeech, spokenAmount, spokenDate } from './speech-text.ts';

/** What the spoken words are made of; the alert supplies it, the AI may add a briefing. */
export type ScriptFacts = {
  deal: {
    name: string;
    amount: number | null;
    currency: string | null;
    stage: string | null;
    previous_stage: string | null;
    account: string | null;
    owner: { name: string | null; email: string | null } | null;
    close_date: string | null;
  };
  reason: string;
  /** The AI briefing when it is ready; otherwise the template's full version is spoken. */
  aiBriefing: string | null;
  aeName: string | null;
  vpName: string;
  /** Other alerts waiting for the same line after this call. */
  waiting: number;
  snoozeMinutes: number;
  now: Date;
};

const stageWords = (s: string | null) => (s ? s.replace(/[/_]+/g, ' ').replace(/\s+/g, ' ').trim() : null);

/** One sentence that always works: account, deal, amount, stage change, owner. */
export function headline(f: ScriptFacts): string {
  const d = f.deal;
  const who = d.account ? `${d.account}` : 'A deal';
  const amount = d.amount !== null ? `, worth ${spokenAmount(d.amount, d.currency)},` : '';
  const from = stageWords(d.previous_stage);
  const toStage = stageWords(d.stage) ?? 'an alert stage';
  const move = from ? `moved from ${from} to ${toStage}` : `is now in ${toStage}`;
  const owner = d.owner?.name ? ` The owner is ${d.owner.name}.` : '';
  return `Deal alert. ${who}: ${d.name}${amount} ${move}.${owner}`;
}

export function templateBriefing(f: ScriptFacts): string {
  const close = f.deal.close_date ? ` It is set to close ${spokenDate(f.deal.close_date, f.now)}.` : '';
  return `${headline(f)}${close}`;
}

/** What the template adds after the headline when no AI briefing is ready. */
export function templateDetails(f: ScriptFacts): string {
  const parts: string[] = [];
  if (f.deal.close_date) parts.push(`It is set to close ${spokenDate(f.deal.close_date, f.now)}.`);
  parts.push(`Why this alert: ${f.reason.replace(/;/g, ', and')}.`);
  return parts.join(' ');
}

const MENU = 'Say "connect me" or press 1 to talk to the account executive. Say "repeat" or press 2 to hear this again, "remind me later" or 3 to snooze, or "got it" or 9 to dismiss.';

export function promptText(prompt: Prompt, f: ScriptFacts): string {
  const ae = f.aeName ?? 'the account executive';
  const waiting = f.waiting > 0 ? ` ${f.waiting === 1 ? 'One more alert is' : `${f.waiting} more alerts are`} waiting after this one.` : '';
  const body = f.aiBriefing ?? templateBriefing(f);
  const texts: Record<Prompt, string> = {
    headline: `${headline(f)}${waiting}`,
    briefing: `${f.aiBriefing ?? templateDetails(f)} ${MENU}`,
    briefing_again: `Here it is again. ${body} ${MENU}`,
    connecting: `Connecting you to ${ae}, the account executive on ${f.deal.name}. Please hold.`,
    ae_unknown: `I don't have a phone number for the account executive on this deal, so I can't connect you. The alert is saved. Goodbye.`,
    ae_unavailable: `Sorry, ${ae} didn't pick up. I've noted it on the alert. Goodbye.`,
    ae_declined: `${ae} can't take the call right now. I've noted it on the alert. Goodbye.`,
    ae_voicemail: `${ae}'s voicemail answered, so I hung up on it. I've noted it on the alert. Goodbye.`,
    whisper: `Hi ${ae}, this is Deal Desk. ${f.vpName} is waiting on the line about ${f.deal.account ?? 'a deal'}, ${f.deal.name}${f.deal.amount !== null ? `, ${spokenAmount(f.deal.amount, f.deal.currency)}` : ''}. ${f.deal.previous_stage ? `It just moved from ${stageWords(f.deal.previous_stage)} to ${stageWords(f.deal.stage)}.` : `It is in ${stageWords(f.deal.stage) ?? 'an alert stage'}.`} Press 1 or say yes to take the call, or press 2 to decline.`,
    voicemail: `Hello, this is Deal Desk with an alert for ${f.vpName}. ${f.deal.account ? `${f.deal.account}, ` : ''}${f.deal.name} ${f.deal.stage ? `is now in ${stageWords(f.deal.stage)}` : 'needs attention'}. We'll try you again shortly. Goodbye.`,
    goodbye_ack: `Got it. Goodbye.`,
    goodbye_snooze: `Okay, I'll call you back in ${f.snoozeMinutes} minutes. Goodbye.`,
    goodbye_timeout: `I didn't hear an answer, so I'll mark this alert as seen. Goodbye.`,
  };
  return cleanForSpeech(texts[prompt]);
}
