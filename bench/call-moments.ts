/**
 * Two moments of a call that a VP notices, measured on the Telnyx simulator at real speed (time scale 1):
 *  - barge-in: the VP says "connect me" while the headline plays → "Connecting you…" starts playing
 *    (the simulator's audio timeline; target ≤ 300 ms). Without cutting the headline it would wait for it to end.
 *  - connected at the bridge: Telnyx's call.bridged is delivered → GET /alerts/:id says `connected`
 *    (target ≤ 1 s), while the conversation goes on; the talk time follows the hangup.
 *
 *   npm run bench -- bench/call-moments.ts        (CALLS=8)
 *
 * Real processes (ingress, dialer, call-worker) on the test stack (test/support/call-stack.ts), one call at a time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Persona } from '@dda/sandbox/telnyx-sim';
import { AE, startCallStack, VP } from '../test/support/call-stack.ts';
import { emitResult, fmt, machine, summarize, table } from './support/stats.ts';
import { startBenchRedis } from './support/redis-server.ts';

const CALLS = Number(process.env.CALLS ?? 8);
const BARGE_IN_TARGET_MS = 300;
const CONNECTED_TARGET_MS = 1000;

const vp: Persona = { answer: 'human', ringMs: 300, responses: [{ say: 'connect me', during: 'any' }], talkMs: 3000 };
const ae: Persona = { answer: 'human', ringMs: 300, responses: [{ press: '1' }] };

console.log(`call-moments: ${CALLS} calls at time scale 1`);
console.log(`machine: ${machine()}`);
const redis = await startBenchRedis();
const s = await startCallStack({ timeScale: 1, redisUrl: redis.url });
s.telnyx.setPersona(VP, vp);
s.telnyx.setPersona(AE, ae);

const bargeIn: number[] = [];
const connectedAfterBridge: number[] = [];
let headlineCut = 0;
try {
  for (let i = 0; i < CALLS; i++) {
    const known = new Set(s.telnyx.calls().map((c) => c.callControlId));
    const id = await s.raiseAlert();
    let bridgedAt: number | undefined;
    let connectedAt: number | undefined;
    // Poll the API as a client would, from the moment the bridge webhook was delivered.
    while (connectedAt === undefined) {
      bridgedAt ??= s.telnyx.webhooksSent.find(
        (w) => w.event_type === 'call.bridged' && !known.has(w.callControlId) && w.deliveredAt,
      )?.deliveredAt;
      if (bridgedAt !== undefined && (await s.alert(id)).outcome === 'connected') connectedAt = Date.now();
      await sleep(10);
    }
    await s.waitForOutcome(id, 60_000);
    await s.telnyx.whenIdle({ minCalls: 1, timeoutMs: 60_000 });
    const vpLeg = s.telnyx.calls().find((c) => c.to === VP && !known.has(c.callControlId))!.callControlId;
    const said = s.telnyx.personaActions().find((a) => a.callControlId === vpLeg && a.kind === 'say')!;
    const audio = s.telnyx.audioTimeline().filter((a) => a.callControlId === vpLeg);
    const connecting = audio.find((a) => /^Connecting you/.test(a.text))!;
    if (audio[0]?.status === 'cut') headlineCut += 1;
    bargeIn.push(connecting.startedAt! - said.at);
    connectedAfterBridge.push(connectedAt - bridgedAt!);
    console.log(
      `call ${i + 1}: barge-in ${connecting.startedAt! - said.at} ms, connected visible ${connectedAt - bridgedAt!} ms after call.bridged`,
    );
  }
} finally {
  await s.close();
  await redis.stop();
}

const b = summarize(bargeIn);
const c = summarize(connectedAfterBridge);
console.log(
  table(
    ['moment', 'n', 'p50 ms', 'p99 ms', 'max ms', 'target'],
    [
      ['"connect me" → "Connecting you…" plays', b.n, b.p50, b.p99, b.max, `≤ ${BARGE_IN_TARGET_MS} ms`],
      ['call.bridged → GET /alerts/:id connected', c.n, c.p50, c.p99, c.max, `≤ ${CONNECTED_TARGET_MS} ms`],
    ],
  ),
);
console.log(`headline cut by the barge-in on ${headlineCut}/${CALLS} calls; ${new Date().toISOString()}`);
const met = b.max <= BARGE_IN_TARGET_MS && c.max <= CONNECTED_TARGET_MS && headlineCut === CALLS;
console.log(`targets: ${met ? 'met' : 'NOT MET'} (barge-in max ${fmt(b.max)} ms, connected max ${fmt(c.max)} ms)`);
emitResult('call-moments', {
  calls: CALLS,
  bargeInP99: b.p99,
  bargeInMax: b.max,
  connectedP99: c.p99,
  connectedMax: c.max,
  headlineCut,
  met,
});
