import { randomUUID } from 'node:crypto';

/** What the engine knows about a leg that goes into webhook payloads. */
export type PayloadLeg = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  from: string;
  to: string;
  initiatedAt: Date;
  answeredAt?: Date;
};

/**
 * Which payload keys each event carries, copied from fixtures/telnyx/*.json so the receiver sees exactly the
 * real shapes: speak.* and transcription have no from/to, machine.* have no call_control_id.
 */
const HAS_FROM_TO = new Set([
  'call.initiated',
  'call.answered',
  'call.bridged',
  'call.dtmf.received',
  'call.gather.ended',
  'call.hangup',
  'call.machine.detection.ended',
  'call.machine.greeting.ended',
  'call.machine.premium.detection.ended',
  'call.machine.premium.greeting.ended',
]);
const WITHOUT_CALL_CONTROL_ID = new Set([
  'call.machine.detection.ended',
  'call.machine.greeting.ended',
  'call.machine.premium.detection.ended',
  'call.machine.premium.greeting.ended',
]);

/** Telnyx stamps microseconds ("2018-02-02T22:25:27.521992Z"); JS only has milliseconds. */
export function telnyxTime(d: Date): string {
  return d.toISOString().replace('Z', '000Z');
}

export type EventData = {
  event_type: string;
  id: string;
  occurred_at: string;
  payload: Record<string, unknown>;
  record_type: 'event';
};

export function buildEventData(eventType: string, leg: PayloadLeg, clientState: string | null, extra: Record<string, unknown>): EventData {
  const payload: Record<string, unknown> = {};
  if (!WITHOUT_CALL_CONTROL_ID.has(eventType)) payload['call_control_id'] = leg.callControlId;
  payload['call_leg_id'] = leg.callLegId;
  payload['call_session_id'] = leg.callSessionId;
  // Always present, null when never set (as in the call.transcription fixture).
  payload['client_state'] = clientState;
  payload['connection_id'] = leg.connectionId;
  if (HAS_FROM_TO.has(eventType)) {
    payload['from'] = leg.from;
    payload['to'] = leg.to;
  }
  Object.assign(payload, extra);
  return { event_type: eventType, id: randomUUID(), occurred_at: telnyxTime(new Date()), payload, record_type: 'event' };
}
