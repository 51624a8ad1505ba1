import { promptText, type Prompt, type ScriptFacts } from '@dda/domain';
import type { Alert } from '@dda/store';
import type { CallRecord } from './call-record.ts';
import type { CallSettings } from './call-deps.ts';

function factsOf(alert: Alert, call: CallRecord, settings: CallSettings, aeName: string | null): ScriptFacts {
  return {
    deal: alert.deal,
    reason: alert.reason,
    aiBriefing: alert.briefing && !alert.briefing.fallback ? alert.briefing.text : null,
    aeName,
    // The person this call rang (a CRO, a backup) is who the AE whisper and the voicemail name.
    vpName: call.callee.name ?? settings.vpName,
    waiting: call.waiting,
    snoozeMinutes: Math.round(settings.snoozeMs / 60_000),
    now: new Date(),
  };
}

/**
 * Resolved when the words are about to be spoken, so an AI briefing that arrived meanwhile is used. A digest
 * call (several alerts waited for the line) tells the script its size and which alert the VP is on.
 */
export function textFor(prompt: Prompt, alert: Alert, call: CallRecord, settings: CallSettings, aeName: string | null): string {
  const size = call.group.length;
  return promptText(prompt, {
    ...factsOf(alert, call, settings, aeName),
    digest: size > 1 ? { size, position: call.ctx.focus } : undefined,
    callBack: call.kind === 'callback',
  });
}
