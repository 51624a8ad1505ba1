import type { AddressInfo } from 'node:net';
import { createCallEngine } from './call-engine.ts';
import { checkIncomingCall } from './control-routes.ts';
import { createCountedRules } from './counted-rules.ts';
import { createMessageCenter } from './message-center.ts';
import { buildSimServer } from './sim-server.ts';
import { createWebhookDispatcher } from './webhook-dispatcher.ts';
import type {
  Faults,
  IncomingCallRequest,
  Persona,
  RejectedCommand,
  SentWebhook,
  SimCommand,
  SimulatorOptions,
  TelnyxModes,
  TelnyxSimulator,
} from './sim-types.ts';

// A number nobody configured behaves like a person who answers and says nothing.
const FALLBACK_PERSONA: Persona = { answer: 'human', responses: [] };
const IDLE_POLL_MS = 20;
const IDLE_QUIET_MS = 250;

/**
 * A local stand-in for Telnyx Call Control: the official SDK talks to `url`, and the app receives signed
 * webhooks at each dial's webhook_url. Personas decide what the person on each number does.
 */
export async function createTelnyxSimulator(opts: SimulatorOptions): Promise<TelnyxSimulator> {
  const personaByNumber = new Map(Object.entries(opts.personas));
  const print = opts.print ?? (() => {});
  let faults: Faults = {};
  let modes: TelnyxModes = { ...opts.modes };
  const rules = createCountedRules();
  rules.resetModes(modes);
  let failuresLeft = 0;
  let lastActivity = Date.now();
  const touch = () => void (lastActivity = Date.now());
  const commands: SimCommand[] = [];
  const rejectedCommands: RejectedCommand[] = [];
  const webhooksSent: SentWebhook[] = [];

  const dispatcher = createWebhookDispatcher({
    privateKey: opts.privateKey,
    ...(opts.webhookRetryDelaysMs ? { retryDelaysMs: opts.webhookRetryDelaysMs } : {}),
    faults: () => faults,
    modes: () => modes,
    drop: rules.drop,
    sent: webhooksSent,
    print,
    onSettled: touch,
  });
  const messages = createMessageCenter({
    timeScale: opts.timeScale ?? 1,
    names: opts.names,
    print,
    modes: () => modes,
    // A text's events are their own ordered stream, keyed by message id, like a call session's.
    emit: (message, data) => {
      touch();
      if (message.webhookUrl) dispatcher.send(message.id, message.webhookUrl, data, '', message.to, message.id);
    },
    onChange: touch,
  });
  const engine = createCallEngine({
    timeScale: opts.timeScale ?? 1,
    personaFor: (n) => personaByNumber.get(n) ?? opts.defaultPersona ?? FALLBACK_PERSONA,
    names: opts.names,
    print,
    emit: (leg, data) => {
      touch();
      dispatcher.send(leg.callSessionId, leg.webhookUrl, data, leg.callControlId, leg.to);
    },
    onChange: touch,
    modes: () => modes,
  });
  const closing = new AbortController();
  function setModes(m: TelnyxModes) {
    modes = { ...m };
    rules.resetModes(modes);
  }
  function incomingCall(req: IncomingCallRequest) {
    const checked = checkIncomingCall(req);
    if (!checked.ok) throw new TypeError(`incomingCall: ${checked.body.errors[0]?.detail}`);
    const leg = engine.incoming(checked.req);
    return { callControlId: leg.callControlId, callLegId: leg.callLegId, callSessionId: leg.callSessionId };
  }
  const app = buildSimServer({
    apiKey: opts.apiKey,
    engine,
    messages,
    closing: closing.signal,
    control: {
      incomingCall,
      messages: () => messages.list(),
      calls: () => engine.calls(),
      commands: () => commands,
      modes: () => modes,
      setModes,
    },
    faults: () => faults,
    modes: () => modes,
    rules,
    consumeFailure: () => {
      if (faults.commandStatus === undefined && faults.commandFailCount === undefined) return null;
      if (faults.commandFailCount === undefined) return faults.commandStatus ?? 503;
      if (failuresLeft <= 0) return null;
      failuresLeft -= 1;
      return faults.commandStatus ?? 503;
    },
    commands,
    rejected: rejectedCommands,
    onActivity: touch,
  });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const pollers = new Set<NodeJS.Timeout>();

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v2`,
    commands,
    rejectedCommands,
    webhooksSent,
    setFaults(f: Faults) {
      faults = { ...f };
      failuresLeft = f.commandFailCount ?? 0;
      rules.resetFaults(f);
    },
    setModes,
    audioTimeline: () => engine.timeline(),
    personaActions: () => engine.personaActions(),
    setPersona(number: string, persona: Persona) {
      personaByNumber.set(number, persona);
    },
    calls: () => engine.calls(),
    messages: () => messages.list(),
    incomingCall,
    whenIdle({ minCalls = 0, timeoutMs = 30_000 } = {}) {
      const started = Date.now();
      return new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          const idle =
            engine.aliveCount() === 0 && dispatcher.pending() === 0 && messages.pending() === 0 && engine.totalCount() >= minCalls;
          // Quiet for a moment too: the app may still react to the last webhook (hang up, escalate, re-dial).
          if (idle && Date.now() - lastActivity >= IDLE_QUIET_MS) return done(null);
          if (Date.now() - started > timeoutMs) {
            const alive = engine.calls().filter((c) => c.state !== 'ended');
            const what = alive.map((c) => `${c.role ?? c.callControlId.slice(0, 12)}:${c.state}`).join(', ') || 'none';
            done(
              new Error(
                `telnyx-sim not idle after ${timeoutMs} ms (calls alive: ${what}; webhooks pending: ${dispatcher.pending()}; calls dialled: ${engine.totalCount()})`,
              ),
            );
          }
        }, IDLE_POLL_MS);
        pollers.add(poll);
        function done(err: Error | null) {
          clearInterval(poll);
          pollers.delete(poll);
          if (err) reject(err);
          else resolve();
        }
      });
    },
    async close() {
      for (const p of pollers) clearInterval(p);
      pollers.clear();
      engine.close();
      messages.close();
      dispatcher.close();
      closing.abort();
      await app.close();
    },
  };
}
