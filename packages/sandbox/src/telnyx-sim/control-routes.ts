import type { FastifyInstance } from 'fastify';
import { TELNYX_MESSAGE_MODES } from './mode-matrix.ts';
import { errorBodies, type TelnyxErrorBody } from './telnyx-errors.ts';
import type { IncomingCall, IncomingCallRequest, SimCall, SimCommand, SimMessage, TelnyxModes } from './sim-types.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
const ATTESTATIONS = ['A', 'B', 'C'];

export type ControlDeps = {
  incomingCall: (req: IncomingCallRequest) => IncomingCall;
  messages: () => SimMessage[];
  calls: () => SimCall[];
  commands: () => SimCommand[];
  modes: () => TelnyxModes;
  setModes: (m: TelnyxModes) => void;
};

/** sim.incomingCall and POST /v2/_sim/incoming-call check the same way; the route answers 422 in Telnyx's shape. */
export function checkIncomingCall(input: unknown): { ok: true; req: IncomingCallRequest } | { ok: false; body: TelnyxErrorBody } {
  const b = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const bad = (body: TelnyxErrorBody) => ({ ok: false as const, body });
  for (const name of ['from', 'to', 'webhookUrl']) {
    if (typeof b[name] !== 'string' || b[name] === '') return bad(errorBodies.missingParameter(name));
  }
  for (const name of ['from', 'to']) if (!E164.test(b[name] as string)) return bad(errorBodies.notE164(name));
  if (!/^https?:\/\//.test(b['webhookUrl'] as string)) {
    return bad(errorBodies.invalidValue('webhookUrl', 'webhookUrl must be an http(s) URL.'));
  }
  const att = b['attestation'];
  if (att !== undefined && att !== null && !ATTESTATIONS.includes(att as string)) {
    return bad(errorBodies.invalidValue('attestation', 'attestation must be one of: A, B, C, or null.'));
  }
  if (b['attestationValidated'] !== undefined && typeof b['attestationValidated'] !== 'boolean') {
    return bad(errorBodies.invalidValue('attestationValidated', 'attestationValidated must be a boolean.'));
  }
  if (b['persona'] !== undefined && (typeof b['persona'] !== 'object' || b['persona'] === null || Array.isArray(b['persona']))) {
    return bad(errorBodies.invalidValue('persona', 'persona must be an object (see Persona).'));
  }
  for (const name of ['callerIdName', 'connectionId']) {
    if (b[name] !== undefined && typeof b[name] !== 'string') return bad(errorBodies.invalidValue(name, `${name} must be a string.`));
  }
  const timeout = b['answerTimeoutMs'];
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    return bad(errorBodies.invalidValue('answerTimeoutMs', 'answerTimeoutMs must be a non-negative number.'));
  }
  return { ok: true, req: b as IncomingCallRequest };
}

/**
 * `/v2/_sim/*`: the simulator's control methods over HTTP, for the sandbox launcher, a shell or a test in
 * another process. Unauthenticated on purpose, as merge-sim's /_sim: it listens on loopback and holds fake data.
 */
export function registerControlRoutes(app: FastifyInstance, deps: ControlDeps): void {
  /** Body: IncomingCallRequest as JSON ({ from, to, webhookUrl, attestation?, persona?, ... }). */
  app.post('/incoming-call', async (req, reply) => {
    const checked = checkIncomingCall(req.body);
    if (!checked.ok) return reply.code(422).send(checked.body);
    return reply.code(201).send(deps.incomingCall(checked.req));
  });
  app.get('/messages', async () => deps.messages());
  app.get('/calls', async () => deps.calls());
  /** ?call_control_id= narrows to one leg ("no speak was ever sent on this leg"). */
  app.get('/commands', async (req) => {
    const id = (req.query as { call_control_id?: string }).call_control_id;
    return id ? deps.commands().filter((c) => c.callControlId === id) : deps.commands();
  });
  app.get('/modes', async () => deps.modes());
  /** Replaces the modes, as sim.setModes does (and restarts dropWebhooks / failCommands counting). */
  app.post('/modes', async (req, reply) => {
    const modes = (req.body ?? {}) as TelnyxModes;
    if (modes.messages !== undefined && !(TELNYX_MESSAGE_MODES as readonly string[]).includes(modes.messages)) {
      return reply.code(422).send(errorBodies.invalidValue('messages', `messages must be one of: ${TELNYX_MESSAGE_MODES.join(', ')}.`));
    }
    deps.setModes(modes);
    return deps.modes();
  });
}
