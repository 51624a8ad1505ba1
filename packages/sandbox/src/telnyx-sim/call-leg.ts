import { randomBytes, randomUUID } from 'node:crypto';
import type { PayloadLeg } from './event-payloads.ts';
import type { LegState, Persona, PersonaResponse, SimCall } from './sim-types.ts';

export type SpeakJob = { clientState: string | null; started: boolean };
export type GatherJob = { clientState: string | null; body: Record<string, any> };

/** Everything the simulator tracks about one call leg. */
export type Leg = PayloadLeg & {
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
  /** Real time (ms) at which the queued prompts on this leg have finished playing. */
  audioFreeAt: number;
  speaks: Set<SpeakJob>;
  gather: GatherJob | null;
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
    audioFreeAt: 0,
    speaks: new Set(),
    gather: null,
    timers: new Set(),
    idleTimer: null,
    talkTimer: null,
    bridgedWith: null,
  };
}

export function snapshotOf(l: Leg, names: Record<string, string> | undefined): SimCall {
  return {
    callControlId: l.callControlId,
    callLegId: l.callLegId,
    callSessionId: l.callSessionId,
    to: l.to,
    ...(names?.[l.to] ? { role: names[l.to] } : {}),
    state: l.state,
    ...(l.answeredBy ? { answeredBy: l.answeredBy } : {}),
    ...(l.hangupCause ? { hangupCause: l.hangupCause } : {}),
  };
}
