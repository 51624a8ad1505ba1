import type { Alert, TimelineEntry } from '@dda/store';

/**
 * The words in the note carry this reference: it is how a write whose answer never came is found again in
 * the deal's notes (crm-note.ts), and how a reader of the CRM finds the alert in our history.
 */
export function noteReference(alertId: string): string {
  return `Deal Desk ref ${alertId}`;
}

const OUTCOME_WORDS: Record<string, string> = {
  connected: 'connected to the account executive',
  acknowledged: 'heard and acknowledged',
  snoozed: 'snoozed',
  ae_unavailable: 'heard; the account executive could not be reached',
  voicemail: 'not reached; voicemail left',
  no_answer: 'not reached (no answer)',
  escalated: 'handled by an escalation contact',
  failed: 'the alert call failed',
};

function minutesAndSeconds(total: number): string {
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** Who was rung and how each ring ended, in order, by name (never a number). */
function callsOf(timeline: TimelineEntry[]): string[] {
  return timeline
    .filter((t) => t.event === 'call.ended')
    .map((t) => `${String(t['name'] ?? t['recipient'] ?? t['callee'] ?? 'recipient')} (${String(t['result'] ?? '').replace(/_/g, ' ')})`);
}

/**
 * The note on the deal: what fired and when, who was called, how it ended, and — when connected — with whom
 * and for how long. Plain text: CRMs render notes differently, and some strip HTML.
 */
export function noteContent(alert: Alert): string {
  const outcome = alert.outcome ?? 'failed';
  const lines = [
    `Deal Desk alert: ${OUTCOME_WORDS[outcome] ?? outcome.replace(/_/g, ' ')}.`,
    `Fired ${alert.created_at.slice(0, 16).replace('T', ' ')} UTC: ${alert.reason}.`,
  ];
  const calls = callsOf(alert.timeline);
  if (calls.length > 0) lines.push(`Called: ${calls.join(', ')}.`);
  if (outcome === 'connected') {
    const ae = [...alert.timeline].reverse().find((t) => t.event === 'ae.dialing')?.['ae'] ?? alert.deal.owner?.name ?? null;
    const vp = [...alert.timeline].reverse().find((t) => t.event === 'call.ended' && t['result'] === 'connected')?.['name'] ?? null;
    const who = `${vp ? String(vp) : 'The sales leader'} was connected to ${ae ? String(ae) : 'the account executive'}`;
    lines.push(alert.talk_seconds !== null ? `${who}; they talked ${minutesAndSeconds(alert.talk_seconds)}.` : `${who}.`);
  } else if (alert.outcome_reason) {
    lines.push(`Why: ${alert.outcome_reason}.`);
  }
  lines.push(noteReference(alert.id));
  return lines.join('\n');
}
