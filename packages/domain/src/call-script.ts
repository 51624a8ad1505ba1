import type { Prompt } from './call-machine.ts';
import { cleanForSpeech, numberInWords, spokenAmount, spokenDate } from './speech-text.ts';

/*
 * Every sentence the system says on the phone comes from this module: the headline, the template briefing,
 * the menu, the AE whisper, the voicemail message and the goodbyes. The AI briefing writer builds its
 * prompt from the same spoken pieces (spokenStage, spokenDealName, ownerName, spokenReason).
 */

/** The deal as an alert records it (the store keeps exactly this; the script reads it). */
export type AlertDeal = {
  id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  stage: string | null;
  previous_stage: string | null;
  account: string | null;
  owner: { name: string | null; email: string | null } | null;
  close_date: string | null;
};

/** What the spoken words are made of; the alert supplies it, the AI may add a briefing. */
export type ScriptFacts = {
  deal: Omit<AlertDeal, 'id'> & { id?: string };
  reason: string;
  /** The AI briefing when it is ready; otherwise the template's full version is spoken. */
  aiBriefing: string | null;
  aeName: string | null;
  vpName: string;
  /** Other alerts waiting for the same line after this call. */
  waiting: number;
  snoozeMinutes: number;
  now: Date;
  /**
   * Set on a digest call (several alerts waited for the line): how many alerts it covers and which one
   * (0-based, largest first) these facts are about. Absent or size 1: an ordinary call.
   */
  digest?: { size: number; position: number } | undefined;
  /** The recipient called us back: the call opens with how many open alerts they have, newest first. */
  callBack?: boolean | undefined;
};

type Deal = ScriptFacts['deal'];

/** "Negotiation/Review" → "Negotiation Review", "contract_sent" → "contract sent": no slashes read aloud. */
export function spokenStage(stage: string | null): string | null {
  if (!stage) return null;
  const words = stage
    .replace(/[/_\\|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words || null;
}

/**
 * The stage move in spoken form; `from` is null when there was no earlier stage or it is the same one (an
 * amount crossing the threshold does not move the deal).
 */
export function stageMove(deal: Pick<Deal, 'stage' | 'previous_stage'>): { from: string | null; to: string | null; unchanged: boolean } {
  const to = spokenStage(deal.stage);
  const from = spokenStage(deal.previous_stage);
  const unchanged = !!from && !!to && from.toLowerCase() === to.toLowerCase();
  return { from: unchanged ? null : from, to, unchanged };
}

const squash = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * Salesforce-style names repeat the account ("Northwind - Platform Expansion FY26" on Northwind Traders):
 * said after the account, the prefix is dropped.
 */
export function spokenDealName(deal: Pick<Deal, 'name' | 'account'>): string {
  const name = deal.name.replace(/\s+/g, ' ').trim();
  const m = /^(.+?)\s+[-–—:|]\s+(.+)$/.exec(name);
  if (!m || !deal.account) return name;
  const prefix = squash(m[1]!);
  const account = squash(deal.account);
  return prefix && (account === prefix || account.startsWith(`${prefix} `) || prefix.startsWith(`${account} `)) ? m[2]! : name;
}

/** "dana.whitfield@x" → "Dana Whitfield"; null when the local part does not look like a name. */
export function nameFromEmail(email: string | null | undefined): string | null {
  const local = email?.split('@')[0];
  if (!local) return null;
  const parts = local.split(/[._-]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^[a-z]+$/i.test(p))) return null;
  return parts.map((p) => p[0]!.toUpperCase() + p.slice(1).toLowerCase()).join(' ');
}

/** The deal owner as a person's name: the CRM's, else the rep directory's, else one read from the e-mail address. */
export function ownerName(deal: Pick<Deal, 'owner'>, aeName: string | null = null): string | null {
  return deal.owner?.name?.trim() || aeName || nameFromEmail(deal.owner?.email);
}

const listInWords = (xs: string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : xs.length === 2 ? `${xs[0]}, and ${xs[1]}` : `${xs.slice(0, -1).join(', ')}, and ${xs.at(-1)}`;

/**
 * Triage's reason ("moved from Proposal/Price Quote to alert stage Negotiation/Review; amount 185000 crossed
 * the threshold 50000") as speech: stages without slashes, amounts in words, no raw digits.
 */
export function spokenReason(reason: string, deal: Pick<Deal, 'currency'> = { currency: null }): string {
  const money = (raw: string) => (Number.isFinite(Number(raw)) ? spokenAmount(Number(raw), deal.currency) : raw);
  const parts = reason
    .split(/;\s*/)
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      let m: RegExpExecArray | null;
      if ((m = /^first seen in alert stage (.+)$/i.exec(r))) return `it was already in ${spokenStage(m[1]!)} when we first saw it`;
      if ((m = /^moved from no stage to alert stage (.+)$/i.exec(r))) return `it moved into ${spokenStage(m[1]!)}`;
      if ((m = /^moved from (.+) to alert stage (.+)$/i.exec(r))) return `it moved from ${spokenStage(m[1]!)} to ${spokenStage(m[2]!)}`;
      if ((m = /^amount (\S+) crossed the threshold (\S+)$/i.exec(r)))
        return `its amount, ${money(m[1]!)}, crossed your threshold of ${money(m[2]!)}`;
      if (/^manual alert$/i.test(r)) return 'it was raised by hand';
      return r.replace(/[_/]+/g, ' ').replace(/\d+(?:\.\d+)?/g, (n) => numberInWords(Number(n)));
    });
  return listInWords(parts) || 'it changed in the CRM';
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const firstName = (name: string) => name.split(/\s+/)[0] ?? name;

/** One sentence that always works: account, deal, amount, stage change, owner. Needs nothing but the alert. */
export function headline(f: ScriptFacts): string {
  const d = f.deal;
  const subject = d.account ? `${d.account}: ${spokenDealName(d)}` : d.name;
  const amount = d.amount !== null ? `, worth ${spokenAmount(d.amount, d.currency)},` : '';
  const { from, to, unchanged } = stageMove(d);
  const toStage = to ?? 'an alert stage';
  const move = from ? `moved from ${from} to ${toStage}` : `is ${unchanged ? 'still' : 'now'} in ${toStage}`;
  const owner = ownerName(d, f.aeName);
  return `Deal alert. ${subject}${amount} ${move}.${owner ? ` The owner is ${owner}.` : ''}`;
}

/** What the template adds after the headline when no AI briefing is ready: the close date and why the alert fired. */
export function templateDetails(f: ScriptFacts): string {
  const close = f.deal.close_date ? `It is set to close ${spokenDate(f.deal.close_date, f.now)}.` : 'There is no close date on it yet.';
  return `${close} This alert fired because ${spokenReason(f.reason, f.deal)}.`;
}

/** The whole briefing without AI: the headline, then the details. */
export function templateBriefing(f: ScriptFacts): string {
  return `${headline(f)} ${templateDetails(f)}`;
}

const MENU =
  'Say "connect me" or press 1 to talk to the account executive. Say "repeat" or press 2 to hear this again, "remind me later" or 3 to snooze, or "got it" or 9 to dismiss.';

/**
 * A digest call opens with how many alerts there are and the largest one's headline, offers "next" (4) to move
 * on, and says which alert each briefing is about. Other prompts are as on an ordinary call.
 */
function digestText(prompt: Prompt, f: ScriptFacts, size: number, position: number): string | null {
  const NEXT = 'Say "next" or press 4';
  if (prompt === 'headline')
    return f.callBack
      ? `You have ${numberInWords(size)} open deal alerts. The newest first. ${headline(f)} ${NEXT} at any time to hear the next one.`
      : `You have ${numberInWords(size)} new deal alerts. The largest first. ${headline(f)} ${NEXT} at any time to hear the next one.`;
  if (prompt !== 'briefing' && prompt !== 'briefing_again') return null;
  const lead =
    position > 0 && prompt === 'briefing' ? `Alert ${numberInWords(position + 1)} of ${numberInWords(size)}. ${headline(f)} ` : '';
  const more = position + 1 < size ? ` ${NEXT} for the next alert.` : ' That was the last one.';
  return `${lead}${promptText(prompt, { ...f, digest: undefined })}${more}`;
}

/** Needs nothing from the alert: what a leg hears when our side cannot go on, even with the alert lost. */
export function apologyText(): string {
  return 'Sorry, something went wrong on our side and I have to end this call. Goodbye.';
}

/**
 * What a caller hears before they are known to be who they say: nothing about any deal or account. Used with
 * or without an alert (a caller with nothing open has none).
 */
export const CALLER_PROMPTS = {
  pin: 'Welcome to Deal Desk. Please key your PIN, then press pound.',
  pin_again: 'That PIN is not right. Please key your PIN again, then press pound.',
  pin_refused: 'Sorry, that PIN is not right. Goodbye.',
  callback_none: 'This is Deal Desk. You have no open deal alerts right now. Goodbye.',
  apology: apologyText(),
} as const satisfies Partial<Record<Prompt, string>>;

/** A prompt that says nothing about a deal, or null when the prompt needs the alert. */
export function promptWithoutAlert(prompt: Prompt): string | null {
  return (CALLER_PROMPTS as Partial<Record<Prompt, string>>)[prompt] ?? null;
}

export function promptText(prompt: Prompt, f: ScriptFacts): string {
  if (f.digest && f.digest.size > 1) {
    const digest = digestText(prompt, f, f.digest.size, f.digest.position);
    if (digest !== null) return cleanForSpeech(digest);
  }
  const ae = f.aeName ?? 'the account executive';
  const Ae = capitalize(ae);
  const vp = f.vpName;
  const waiting =
    f.waiting > 0
      ? ` ${f.waiting === 1 ? 'One more alert is' : `${capitalize(numberInWords(f.waiting))} more alerts are`} waiting after this one.`
      : '';
  const body = f.aiBriefing ?? templateBriefing(f);
  const d = f.deal;
  const dealRef = d.account ? `${d.account}, ${spokenDealName(d)}` : d.name;
  const move = stageMove(d);
  const texts: Record<Prompt, string> = {
    headline: `${headline(f)}${waiting}`,
    // The executor speaks the model's answer itself; this is only what a replay would say without it.
    answer: `I don't have that detail to hand.`,
    menu: `Anything else? ${MENU}`,
    briefing: `${f.aiBriefing ?? templateDetails(f)} ${MENU}`,
    briefing_again: `Here it is again. ${body} ${MENU}`,
    connecting: `Connecting you to ${ae}, the account executive on ${spokenDealName(d)}. Please hold.`,
    ae_unknown: `I don't have a phone number for the account executive on this deal, so I can't connect you. The alert is saved. Goodbye.`,
    ae_unavailable: `Sorry, ${ae} didn't pick up. I've noted it on the alert. Goodbye.`,
    ae_declined: `${Ae} can't take the call right now. I've noted it on the alert. Goodbye.`,
    ae_voicemail: `${Ae}'s voicemail answered, so I hung up on it. I've noted it on the alert. Goodbye.`,
    whisper: `Hi ${f.aeName ? firstName(f.aeName) : 'there'}, this is Deal Desk. ${capitalize(vp)} is waiting on the line about ${dealRef}${d.amount !== null ? `, ${spokenAmount(d.amount, d.currency)}` : ''}. ${move.from ? `It just moved from ${move.from} to ${move.to ?? 'an alert stage'}.` : `It is in ${move.to ?? 'an alert stage'}.`} Press 1 or say yes to take the call, or press 2 to decline.`,
    voicemail: `Hello, this is Deal Desk with an alert for ${vp}. ${dealRef} ${move.to ? `is now in ${move.to}` : 'needs attention'}. We'll try you again shortly. Goodbye.`,
    goodbye_ack: `Got it. Goodbye.`,
    goodbye_snooze: `Okay, I'll call you back in ${numberInWords(f.snoozeMinutes)} minute${f.snoozeMinutes === 1 ? '' : 's'}. Goodbye.`,
    goodbye_timeout: `I didn't hear an answer, so I'll mark this alert as seen. Goodbye.`,
    ...CALLER_PROMPTS,
  };
  // A call back with one open alert says so before the headline; several go through the digest's opening.
  if (prompt === 'headline' && f.callBack) return cleanForSpeech(`You have one open deal alert. ${texts.headline}`);
  return cleanForSpeech(texts[prompt]);
}
