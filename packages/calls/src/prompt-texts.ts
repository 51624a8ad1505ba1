import { promptText, type Prompt, type ScriptFacts } from '@dda/domain';
import type { Alert } from '@dda/store';
import type { CallRecord } from './call-record.ts';
import type { CallSettings } from './call-deps.ts';

/** Resolved when the words are about to be spoken, so an AI briefing that arrived meanwhile is used. */
export function textFor(prompt: Prompt, alert: Alert, call: CallRecord, settings: CallSettings, snoozeMinutes: number): string {
  const facts: ScriptFacts = {
    deal: alert.deal,
    reason: alert.reason,
    aiBriefing: alert.briefing && !alert.briefing.fallback ? alert.briefing.text : null,
    aeName: call.ae.name,
    vpName: settings.vpName,
    waiting: call.waiting,
    snoozeMinutes,
    now: new Date(),
  };
  return promptText(prompt, facts);
}
