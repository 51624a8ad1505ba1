import { cleanForSpeech, headline, promptText, type Prompt, type ScriptFacts } from '@dda/domain';
import type { Alert } from '@dda/store';
import type { CallRecord } from './call-record.ts';
import type { CallSettings } from './call-deps.ts';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function factsOf(alert: Alert, call: CallRecord, settings: CallSettings, aeName: string | null): ScriptFacts {
  return {
    deal: alert.deal,
    reason: alert.reason,
    aiBriefing: alert.briefing && !alert.briefing.fallback ? alert.briefing.text : null,
    aeName,
    vpName: settings.vpName,
    waiting: call.waiting,
    snoozeMinutes: Math.round(settings.snoozeMs / 60_000),
    now: new Date(),
  };
}

/**
 * Resolved when the words are about to be spoken, so an AI briefing that arrived meanwhile is used.
 * A digest call (several alerts waited for the line) opens with how many there are and the largest, and
 * offers "next" (4) to hear each in turn.
 */
export function textFor(prompt: Prompt, alert: Alert, call: CallRecord, settings: CallSettings, aeName: string | null): string {
  const facts = factsOf(alert, call, settings, aeName);
  const size = call.group.length;
  if (size <= 1) return promptText(prompt, facts);
  const count = NUMBER_WORDS[size] ?? String(size);
  const position = call.ctx.focus;
  if (prompt === 'headline') {
    return cleanForSpeech(`You have ${count} new deal alerts. The largest first. ${headline(facts)} Say "next" or press 4 at any time to hear the next one.`);
  }
  if (prompt === 'briefing' || prompt === 'briefing_again') {
    const lead = position > 0 && prompt === 'briefing' ? `Alert ${position + 1} of ${size}. ${headline(facts)} ` : '';
    const more = position + 1 < size ? ' Say "next" or press 4 for the next alert.' : ' That was the last one.';
    return cleanForSpeech(`${lead}${promptText(prompt, facts)}${more}`);
  }
  return promptText(prompt, facts);
}
