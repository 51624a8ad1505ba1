import { TELNYX_MODE_MATRIX } from '../telnyx-sim/mode-matrix.ts';
import type { LiveCheckReport, ProbedModes } from './live-check-types.ts';

/** The simulator's default for each probed field: what an unchanged simulator does. */
export const PROBED_DEFAULTS: ProbedModes = {
  clientStateEcho: 'command',
  dtmfOutsideGather: true,
  strictStops: false,
  duplicateDialAnswer: 'with_ids',
  webhookContentType: 'application/json',
};

/**
 * Reads the observations as simulator modes. A field is only set when the call settled it: a probe that
 * did not run (call ended early, command refused) leaves it out rather than guessing the default.
 */
export function detectModes(obs: LiveCheckReport['observations']): Partial<ProbedModes> {
  const out: Partial<ProbedModes> = {};
  if (obs.firstSpeakEndedClientState === 'first') out.clientStateEcho = 'command';
  else if (obs.firstSpeakEndedClientState === 'second') out.clientStateEcho = 'leg';
  // Only meaningful when the person was asked and the call got that far: no digit may mean no press.
  if (obs.digitsOutsideGather.length > 0) out.dtmfOutsideGather = true;
  else if (obs.sayGatherStatus !== null && obs.silentGatherStatus !== null) out.dtmfOutsideGather = false;
  const stop = obs.gatherStopWithNothingRunning;
  if (stop && stop.status >= 200 && stop.status < 300) out.strictStops = false;
  else if (stop && stop.status >= 400 && stop.status < 500) out.strictStops = true;
  if (obs.duplicateDial?.outcome === 'with_ids' || obs.duplicateDial?.outcome === 'without_ids') {
    out.duplicateDialAnswer = obs.duplicateDial.outcome;
  }
  const types = obs.webhookContentTypes;
  if (types.length === 1) out.webhookContentType = types[0]!;
  return out;
}

/**
 * Named modes the call agrees with: a mode is listed when every field of it the check can observe was seen
 * with that value ('default' when everything seen was the default). Modes about what a call cannot provoke
 * (AMD, webhook order) are never listed.
 */
export function matchingModes(detected: Partial<ProbedModes>): string[] {
  const seen = detected as Record<string, unknown>;
  return Object.entries(TELNYX_MODE_MATRIX)
    .filter(([, mode]) => {
      const fields = Object.entries(mode as Record<string, unknown>);
      if (fields.length === 0) return Object.entries(seen).every(([k, v]) => (PROBED_DEFAULTS as Record<string, unknown>)[k] === v);
      const probed = fields.filter(([k]) => k in PROBED_DEFAULTS);
      return probed.length > 0 && probed.every(([k, v]) => seen[k] === v);
    })
    .map(([name]) => name);
}

/** One line per observation, in the simulator's vocabulary (`clientStateEcho: leg`). */
export function describeReport(r: LiveCheckReport): string[] {
  const d = r.detected;
  const o = r.observations;
  const show = (v: unknown) => (v === undefined ? 'not settled by this call' : String(v));
  const answer = (a: { status: number; body?: unknown } | null) =>
    a ? `${a.status}${a.body ? ` ${JSON.stringify(a.body)}` : ''}` : 'not probed';
  return [
    `clientStateEcho: ${show(d.clientStateEcho)} (first speak.ended carried ${JSON.stringify(o.firstSpeakEndedClientState)})`,
    `dtmfOutsideGather: ${show(d.dtmfOutsideGather)} (digits during the plain speak: ${JSON.stringify(o.digitsOutsideGather)})`,
    `strictStops: ${show(d.strictStops)} (gather_stop with nothing running → ${answer(o.gatherStopWithNothingRunning)}; transcription_stop → ${answer(o.transcriptionStopWithNothingRunning)})`,
    `duplicateDialAnswer: ${show(d.duplicateDialAnswer)} (resent dial: ${o.duplicateDial?.outcome ?? 'not probed'})`,
    `webhookContentType: ${show(d.webhookContentType)} (seen: ${JSON.stringify(o.webhookContentTypes)})`,
    `gather + transcription together: ${o.transcriptsDuringGather.length > 0 ? 'yes' : 'no'} (transcripts during the gather: ${JSON.stringify(o.transcriptsDuringGather)}; gather ended ${show(o.sayGatherStatus ?? undefined)})`,
    `silent gather ended: ${show(o.silentGatherStatus ?? undefined)}`,
    `speak.ended statuses: ${JSON.stringify(o.speakEndedStatuses)}; gather.ended statuses: ${JSON.stringify(o.gatherEndedStatuses)}`,
    `call reached: ${r.reached}${o.hangupCause ? ` (hangup_cause ${o.hangupCause})` : ''}`,
    `matching simulator modes: ${r.matchingModes.join(', ') || 'none'}`,
  ];
}
