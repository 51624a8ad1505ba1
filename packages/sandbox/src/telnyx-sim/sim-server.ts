import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { ACTIONS, checkDial, runAction } from './call-actions.ts';
import type { CallEngine } from './call-engine.ts';
import { errorBodies, type TelnyxErrorBody } from './telnyx-errors.ts';
import type { CountedRules } from './counted-rules.ts';
import { registerControlRoutes, type ControlDeps } from './control-routes.ts';
import type { MessageCenter } from './message-center.ts';
import type { Faults, RejectedCommand, SimCommand, TelnyxModes } from './sim-types.ts';

const DEDUPE_WINDOW_MS = 60_000;
// timeout_after_accept: how long a send is left unanswered at most (real ms), far past any client timeout.
const HANG_MS = 120_000;
const CONTROL_PREFIX = '/v2/_sim';

type Body = Record<string, any>;

/**
 * The REST half of the simulator: /v2/calls, /v2/calls/:id/actions/:action and /v2/messages, as the SDK calls
 * them, plus the unauthenticated control routes under /v2/_sim (control-routes.ts).
 */
export function buildSimServer(opts: {
  apiKey: string;
  engine: CallEngine;
  messages: MessageCenter;
  control: ControlDeps;
  /** Aborted when the simulator closes: requests left hanging (timeout_after_accept) are cut then. */
  closing: AbortSignal;
  faults: () => Faults;
  modes: () => TelnyxModes;
  rules: CountedRules;
  consumeFailure: () => number | null;
  commands: SimCommand[];
  rejected: RejectedCommand[];
  onActivity: () => void;
}): FastifyInstance {
  // Closing cuts every connection: a client that gave up on an unanswered request (timeout_after_accept) can
  // leave a socket that never carried a request, which Fastify's default ('idle') would wait for forever.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const { engine } = opts;
  // command_id → when it was carried out and what was answered; a repeat inside 60 s gets the same answer.
  const seen = new Map<string, { at: number; data: Record<string, unknown> }>();

  app.addHook('onRequest', async (req, reply) => {
    opts.onActivity();
    if (req.url.startsWith(`${CONTROL_PREFIX}/`)) return; // loopback test control, like merge-sim's /_sim
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return reply.code(401).send(errorBodies.unauthenticated());
    }
  });

  function reject(reply: FastifyReply, rec: Omit<RejectedCommand, 'status' | 'code'>, status: number, body: TelnyxErrorBody) {
    opts.rejected.push({ ...rec, status, code: body.errors[0]?.code ?? '' });
    return reply.code(status).send(body);
  }

  /** Fault injection happens before anything is carried out, so a retry is safe and not a duplicate. */
  function injectedFailure(reply: FastifyReply, rec: Omit<RejectedCommand, 'status' | 'code'>) {
    const status = opts.consumeFailure();
    if (status === null) return null;
    if (status === 429) {
      reply.headers({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' });
      return reject(reply, rec, 429, errorBodies.rateLimited());
    }
    return reject(reply, rec, status, errorBodies.unexpected());
  }

  function duplicateOf(key: string | null): { data: Record<string, unknown> } | null {
    if (!key) return null;
    const hit = seen.get(key);
    return hit && Date.now() - hit.at < DEDUPE_WINDOW_MS ? hit : null;
  }

  /** failCommands: refused before anything is carried out, so nothing about the call changes. */
  function refused(reply: FastifyReply, rec: Omit<RejectedCommand, 'status' | 'code'>) {
    const refusal = opts.rules.refuse(rec.action);
    return refusal ? reject(reply, rec, refusal.status, refusal.body) : null;
  }

  /** loseAnswers: carried out (and remembered under its command_id), but the answer never arrives. */
  function lostAnswer(reply: FastifyReply, rec: Omit<RejectedCommand, 'status' | 'code'>) {
    return opts.rules.loseAnswer(rec.action) ? reject(reply, rec, 503, errorBodies.unexpected()) : null;
  }

  async function respond(reply: FastifyReply, data: Record<string, unknown>) {
    const latency = opts.faults().commandLatencyMs ?? 0;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency)); // carried out already: a slow answer, not a lost command
    return reply.code(200).send({ data });
  }

  app.post('/v2/calls', async (req, reply) => {
    const body = (req.body ?? {}) as Body;
    const commandId = typeof body['command_id'] === 'string' ? body['command_id'] : undefined;
    const rec = { at: Date.now(), action: 'dial', callControlId: null, ...(commandId ? { commandId } : {}) };
    const failed = injectedFailure(reply, rec);
    if (failed) return failed;
    const key = commandId ? `dial|${commandId}` : null;
    const dup = duplicateOf(key);
    if (dup) {
      opts.commands.push({ ...rec, to: body['to'], body, duplicate: true, callControlId: String(dup.data['call_control_id']) });
      // Telnyx "will ignore" the duplicate; whether its answer names the call is unconfirmed (docs/vendor-facts.md).
      if (opts.modes().duplicateDialAnswer === 'without_ids') return respond(reply, { result: 'ok' });
      return respond(reply, dup.data);
    }
    const refusal = refused(reply, rec);
    if (refusal) return refusal;
    const checked = checkDial(engine, body);
    if (!checked.ok) return reject(reply, rec, checked.status, checked.body);
    const leg = engine.dial(checked.request);
    const data = {
      call_control_id: leg.callControlId,
      call_duration: 0,
      call_leg_id: leg.callLegId,
      call_session_id: leg.callSessionId,
      client_state: leg.clientState,
      is_alive: true,
      record_type: 'call',
    };
    if (key) seen.set(key, { at: Date.now(), data });
    opts.commands.push({ ...rec, callControlId: leg.callControlId, to: leg.to, body, duplicate: false });
    return lostAnswer(reply, { ...rec, callControlId: leg.callControlId }) ?? respond(reply, data);
  });

  async function action(req: { params: unknown; body: unknown }, reply: FastifyReply) {
    const { id, action } = req.params as { id: string; action: string };
    const body = (req.body ?? {}) as Body;
    const commandId = typeof body['command_id'] === 'string' ? body['command_id'] : undefined;
    const rec = { at: Date.now(), action, callControlId: id, ...(commandId ? { commandId } : {}) };
    const failed = injectedFailure(reply, rec);
    if (failed) return failed;
    if (!Object.hasOwn(ACTIONS, action)) {
      return reject(reply, rec, 404, errorBodies.notFound(`The simulator does not implement actions/${action}.`));
    }
    const leg = engine.find(id);
    if (!leg) return reject(reply, rec, 422, errorBodies.invalidCallControlId());
    const key = commandId ? `${id}|${commandId}` : null;
    const dup = duplicateOf(key);
    if (dup) {
      opts.commands.push({ ...rec, body, duplicate: true });
      return respond(reply, dup.data);
    }
    const refusal = refused(reply, rec);
    if (refusal) return refusal;
    const result = runAction(engine, leg, action, body);
    if (!result.ok) return reject(reply, rec, result.status, result.body);
    const data = { result: 'ok', ...result.data };
    if (key) seen.set(key, { at: Date.now(), data });
    opts.commands.push({ ...rec, body, duplicate: false });
    return lostAnswer(reply, rec) ?? respond(reply, data);
  }

  app.post('/v2/calls/:id/actions/:action', action);
  app.put('/v2/calls/:id/actions/:action', action); // client_state_update is the one PUT action

  /**
   * Messaging. No command_id and no dedupe: Telnyx documents no idempotency for POST /v2/messages, so every
   * request that is accepted is a text sent, including a client's resend after a 500 or a timeout.
   */
  app.post('/v2/messages', async (req, reply) => {
    const body = (req.body ?? {}) as Body;
    const rec = { at: Date.now(), action: 'send_message', callControlId: null };
    const out = opts.messages.send(body);
    if (out.kind === 'refuse') return reject(reply, rec, out.status, out.body);
    if (out.kind === 'answer') {
      if (out.status !== 200) return reject(reply, rec, out.status, out.body as TelnyxErrorBody);
      return reply.code(200).send(out.body);
    }
    // Sent, and never answered: the client times out (or the simulator closes) and the socket is cut.
    reply.hijack();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, HANG_MS);
      reply.raw.once('close', done);
      opts.closing.addEventListener('abort', done, { once: true });
      if (opts.closing.aborted) done();
      function done() {
        clearTimeout(timer);
        reply.raw.off('close', done);
        opts.closing.removeEventListener('abort', done);
        resolve();
      }
    });
    reply.raw.destroy();
  });

  void app.register(async (control) => registerControlRoutes(control, opts.control), { prefix: CONTROL_PREFIX });

  app.get('/v2/calls/:id', async (req, reply) => {
    const leg = engine.find((req.params as { id: string }).id);
    if (!leg) return reply.code(422).send(errorBodies.invalidCallControlId());
    return reply.send({
      data: {
        call_control_id: leg.callControlId,
        call_leg_id: leg.callLegId,
        call_session_id: leg.callSessionId,
        client_state: leg.clientState,
        is_alive: engine.alive(leg),
        record_type: 'call',
      },
    });
  });

  return app;
}
