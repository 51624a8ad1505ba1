import { randomBytes, randomUUID } from 'node:crypto';
import type { PayloadLeg } from './event-payloads.ts';
import type { EventData } from './event-payloads.ts';
import type { AudioEntry, LegState, Persona, PersonaResponse, SimCall } from './sim-types.ts';

/** One prompt on the leg's audio queue; a gather's prompt points at its gather. */
export type AudioItem = {
  kind: 'speak' | 'gather';
  payload: string;
  clientState: string | null;
  entry: AudioEntry;
  gather: GatherJob | null;
  endTimer: NodeJS.Timeout | null;
};
export type GatherJob = { clientState: string | null; body: Record<string, any>; item: AudioItem };

/** Everything the simulator tracks about one call leg. */
export type Leg = PayloadLeg & {
  /** outgoing: we dialled it; incoming: a person called our number (sim.incomingCall). */
  direction: 'outgoing' | 'incoming';
  persona: Persona;
  label: string;
  state: LegState;
  webhookUrl: string;
  /** Lifecycle events carry the dial's client_state (or the last client_state_update). */
  clientState: string | null;
  amd: string | undefined;
  timeoutMs: number;
  bridgeOnAnswer: boolean;
  linkTo: string | undefined;
  parkAfterUnbridge: boolean;
  /** What the person will do at each coming prompt; consumed front first. */
  responses: PersonaResponse[];
  transcription: { clientState: string | null } | null;
  /** Telnyx's audio queue: what plays now, and what waits behind it in order. */
  playing: AudioItem | null;
  queued: AudioItem[];
  /** The gather command running on the leg (its prompt may still be queued, playing or over). */
  gather: GatherJob | null;
  /** hangupOvertakesAnswer: events held back until this leg's call.hangup has been sent. */
  heldEvents: EventData[] | null;
  timers: Set<NodeJS.Timeout>;
  idleTimer: NodeJS.Timeout | null;
  talkTimer: NodeJS.Timeout | null;
  bridgedWith: Leg | null;
  answeredBy?: 'human' | 'machine';
  hangupCause?: string;
};

export type DialRequest = {
  connection_id: string;
  from: string;
  to: string;
  webhook_url: string;
  client_state?: string | null;
  answering_machine_detection?: string;
  timeout_secs?: number;
  link_to?: string;
  bridge_on_answer?: boolean;
  park_after_unbridge?: string;
};

/** A leg dialled with link_to joins that leg's call session, as Telnyx does. */
export function newLeg(req: DialRequest, persona: Persona, label: string, linked: Leg | undefined): Leg {
  return {
    callControlId: `v3:${randomBytes(30).toString('base64url')}`,
    callLegId: randomUUID(),
    callSessionId: linked?.callSessionId ?? randomUUID(),
    connectionId: req.connection_id,
    from: req.from,
    to: req.to,
    initiatedAt: new Date(),
    direction: 'outgoing',
    persona,
    label,
    state: 'ringing',
    webhookUrl: req.webhook_url,
    clientState: req.client_state ?? null,
    amd: req.answering_machine_detection,
    timeoutMs: (req.timeout_secs ?? 30) * 1000,
    bridgeOnAnswer: req.bridge_on_answer === true,
    linkTo: linked?.callControlId,
    parkAfterUnbridge: req.park_after_unbridge === 'self',
    responses: [...(persona.responses ?? [])],
    transcription: null,
    playing: null,
    queued: [],
    gather: null,
    heldEvents: null,
    timers: new Set(),
    idleTimer: null,
    talkTimer: null,
    bridgedWith: null,
  };
}

/**
 * A call to our number: parked until answered or rejected. `from` is the caller, whose persona acts once it
 * is answered.
 */
export function newIncomingLeg(
  req: { from: string; to: string; webhookUrl: string; connectionId: string },
  persona: Persona,
  label: string,
): Leg {
  const leg = newLeg(
    { connection_id: req.connectionId, from: req.from, to: req.to, webhook_url: req.webhookUrl, client_state: null },
    persona,
    label,
    undefined,
  );
  leg.direction = 'incoming';
  return leg;
}

export function snapshotOf(l: Leg, names: Record<string, string> | undefined): SimCall {
  return {
    callControlId: l.callControlId,
    callLegId: l.callLegId,
    callSessionId: l.callSessionId,
    direction: l.direction,
    from: l.from,
    to: l.to,
    ...(names?.[otherParty(l)] ? { role: names[otherParty(l)] } : {}),
    state: l.state,
    ...(l.answeredBy ? { answeredBy: l.answeredBy } : {}),
    ...(l.hangupCause ? { hangupCause: l.hangupCause } : {}),
  };
}

/** The person on the leg: whom we dialled, or who called us. */
export function otherParty(l: Pick<Leg, 'direction' | 'from' | 'to'>): string {
  return l.direction === 'incoming' ? l.from : l.to;
}
