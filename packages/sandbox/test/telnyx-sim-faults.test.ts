import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { commandId, createCallCommands, generateWebhookKeyPair } from '@dda/telnyx';
import {
  createTelnyxSimulator,
  createWebhookCollector,
  type CollectedWebhook,
  type TelnyxSimulator,
  type WebhookCollector,
} from '../src/telnyx-sim/index.ts';
import { withIds } from './dialed-leg.ts';

const VP = '+14155550101';
const FROM = '+14155550199';
const keys = generateWebhookKeyPair();
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/telnyx/${name}`, import.meta.url), 'utf8'));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

let n = 0;
const cid = (what: string) => commandId('fault-test', `${what}-${n++}`);

async function setup(collector: Partial<Parameters<typeof createWebhookCollector>[0]> = {}, timeoutMs = 2000) {
  const hooks: WebhookCollector = await createWebhookCollector({ publicKey: keys.publicKey, ...collector });
  const sim: TelnyxSimulator = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.02,
    personas: { [VP]: { answer: 'human', ringMs: 1000, responses: [{ press: '1' }] } },
    webhookRetryDelaysMs: [50, 100, 200],
  });
  cleanups.push(async () => {
    await sim.close();
    await hooks.close();
  });
  const cmd = createCallCommands({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs, maxRetries: 2 });
  const dial = async () =>
    withIds(await cmd.dial({ connection_id: 'c', from: FROM, to: VP, webhook_url: hooks.url, command_id: cid('dial') }));
  return { hooks, sim, cmd, dial };
}

/** Answer, gather one key, hang up: a short call with a known set of events. */
async function shortCall(env: Awaited<ReturnType<typeof setup>>) {
  const leg = await env.dial();
  await env.hooks.waitFor((w) => w.event.data.event_type === 'call.answered');
  await env.cmd.gatherUsingSpeak(leg.callControlId, { payload: 'Press 1', voice: 'female', maximum_digits: 1, command_id: cid('g') });
  await env.hooks.waitFor((w) => w.event.data.event_type === 'call.gather.ended');
  await env.cmd.hangup(leg.callControlId, { command_id: cid('h') });
  await env.sim.whenIdle({ timeoutMs: 10_000 });
  return leg;
}
const CALL_EVENTS = ['call.initiated', 'call.answered', 'call.speak.started', 'call.dtmf.received', 'call.gather.ended', 'call.hangup'];
const types = (ws: CollectedWebhook[]) => ws.map((w) => w.event.data.event_type);

describe('telnyx simulator: faults', () => {
  it('429 with rate-limit headers and the documented body, then the SDK retry succeeds', async () => {
    const env = await setup();
    env.sim.setFaults({ commandStatus: 429, commandFailCount: 1 });
    const raw = await fetch(`${env.sim.url}/calls`, { method: 'POST', headers: { authorization: 'Bearer KEY_TEST' } });
    expect(raw.status).toBe(429);
    expect(await raw.json()).toEqual(fixture('error.429.rate_limit.docs.json'));
    expect(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].every((h) => raw.headers.has(h))).toBe(true);

    env.sim.setFaults({ commandStatus: 429, commandFailCount: 2 });
    const leg = await env.dial();
    expect(leg.callControlId).toMatch(/^v3:/);
    expect(env.sim.rejectedCommands.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(env.sim.commands.filter((c) => c.action === 'dial').map((c) => c.duplicate)).toEqual([false]);
    await env.cmd.hangup(leg.callControlId, { command_id: cid('h') });
  });

  it('a 503 on an action is retried by the SDK and carried out once', async () => {
    const env = await setup();
    const leg = await env.dial();
    await env.hooks.waitFor((w) => w.event.data.event_type === 'call.answered');
    env.sim.setFaults({ commandStatus: 503, commandFailCount: 1 });
    expect(await env.cmd.hangup(leg.callControlId, { command_id: cid('h') })).toEqual({ ok: true });
    expect(env.sim.rejectedCommands.map((r) => [r.action, r.status])).toEqual([['hangup', 503]]);
    expect(env.sim.commands.filter((c) => c.action === 'hangup')).toHaveLength(1);
  });

  it('a slow answer makes the SDK time out and resend: the command_id keeps it to one call', async () => {
    const env = await setup({}, 150);
    env.sim.setFaults({ commandLatencyMs: 400 });
    const dialling = env.dial();
    // The first attempt is carried out but answered too late; the resend is answered at once.
    while (!env.sim.commands.some((c) => c.action === 'dial')) await new Promise((r) => setTimeout(r, 10));
    env.sim.setFaults({});
    const leg = await dialling;
    const dials = env.sim.commands.filter((c) => c.action === 'dial');
    expect(dials.length).toBeGreaterThan(1);
    expect(dials.filter((c) => !c.duplicate)).toHaveLength(1);
    expect(new Set(dials.map((c) => c.callControlId))).toEqual(new Set([leg.callControlId]));
    await env.cmd.hangup(leg.callControlId, { command_id: cid('h') });
  });

  it('duplicateWebhooks delivers every event N times with the same data.id', async () => {
    const env = await setup();
    env.sim.setFaults({ duplicateWebhooks: 2 });
    await shortCall(env);
    const ids = env.hooks.received.map((w) => w.event.data.id);
    expect(ids.length).toBe(2 * new Set(ids).size);
    expect(new Set(types(env.hooks.received))).toEqual(new Set(CALL_EVENTS));
    expect(env.hooks.received.map((w) => JSON.parse(w.raw).meta.attempt).sort()).toContain(2);
  });

  it('redelivers when the receiver answers non-2xx, with meta.attempt counting up', async () => {
    let refused = 0;
    const env = await setup({
      status: (w) => (w.event.data.event_type === 'call.answered' && refused++ < 2 ? 500 : 200),
    });
    await shortCall(env);
    const answered = env.hooks.received.filter((w) => w.event.data.event_type === 'call.answered');
    expect(answered).toHaveLength(1);
    expect(JSON.parse(answered[0]!.raw).meta.attempt).toBe(3);
    expect(env.sim.webhooksSent.find((s) => s.event_type === 'call.answered')).toMatchObject({ attempts: 3, delivered: true });
    expect(types(env.hooks.received)).toEqual(CALL_EVENTS); // later events waited: order kept
  });

  it('gives up on an unreachable receiver and still becomes idle', async () => {
    const env = await setup();
    await env.hooks.close();
    const leg = await env.dial();
    await env.cmd.hangup(leg.callControlId, { command_id: cid('h') });
    await env.sim.whenIdle({ timeoutMs: 10_000 });
    expect(env.sim.webhooksSent.every((s) => !s.delivered && s.attempts === 4)).toBe(true);
  });

  it('reorderWebhooks still delivers every event, once each', async () => {
    const env = await setup();
    env.sim.setFaults({ reorderWebhooks: true });
    await shortCall(env);
    expect(types(env.hooks.received).sort()).toEqual([...CALL_EVENTS].sort());
  });

  it('webhookDelayMs holds deliveries back without changing their order', async () => {
    const env = await setup();
    env.sim.setFaults({ webhookDelayMs: 150 });
    await shortCall(env);
    expect(types(env.hooks.received)).toEqual(CALL_EVENTS);
    for (const w of env.hooks.received) {
      expect(w.receivedAt - Date.parse(w.event.data.occurred_at)).toBeGreaterThanOrEqual(140);
    }
  });

  it('whenIdle rejects with the calls still alive when they do not end', async () => {
    const env = await setup();
    await env.dial();
    await expect(env.sim.whenIdle({ timeoutMs: 200 })).rejects.toThrow(/calls alive: .*:(ringing|answered)/);
  });
});
