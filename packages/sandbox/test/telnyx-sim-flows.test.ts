import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { commandId, createCallCommands, decodeClientState, encodeClientState, generateWebhookKeyPair, type Leg } from '@dda/telnyx';
import { createTelnyxSimulator, createWebhookCollector, personas, type CollectedWebhook, type Persona } from '../src/telnyx-sim/index.ts';
import { withIds } from './dialed-leg.ts';

/**
 * A small scripted app (the warm-transfer sequence of README: the call) drives the simulator through the
 * official SDK, so every persona's event sequence is exercised end to end and checked against the fixtures.
 */
const VP = '+14155550101';
const AE = '+14155550102';
const FROM = '+14155550199';
const keys = generateWebhookKeyPair();

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/telnyx/${name}`, import.meta.url), 'utf8'));
const envelopeMetaKeys = Object.keys(fixture('envelope.call.initiated.docs.json').meta).sort();
const sorted = (o: object) => Object.keys(o).sort();

/** The received bytes must have exactly the fixture's keys: envelope, data and payload. */
function expectFixtureShape(w: CollectedWebhook) {
  const body = JSON.parse(w.raw);
  const ref = fixture(`${w.event.data.event_type}.json`);
  expect(sorted(body), w.event.data.event_type).toEqual(['data', 'meta']);
  expect(sorted(body.meta)).toEqual(envelopeMetaKeys);
  expect(sorted(body.data), w.event.data.event_type).toEqual(sorted(ref.data));
  expect(sorted(body.data.payload), w.event.data.event_type).toEqual(sorted(ref.data.payload));
}

type FlowResult = { sequence: string[]; lines: string[]; webhooks: CollectedWebhook[] };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function runFlow(vp: Persona, ae: Persona, amd = 'detect_words'): Promise<FlowResult> {
  const sequence: string[] = [];
  const lines: string[] = [];
  const legs: Partial<Record<Leg, string>> = {};
  const alive: Partial<Record<Leg, boolean>> = {};
  let step = 0;
  let bridged = false;
  let chain = Promise.resolve();
  const cs = (leg: Leg) => encodeClientState({ callId: 'alert1', leg, step: step++ });
  const cid = (leg: Leg, what: string) => commandId('alert1', `${leg}:${what}:${step++}`);

  const sim = await createTelnyxSimulator({
    apiKey: 'KEY_TEST',
    privateKey: keys.privateKey,
    timeScale: 0.04, // margin for a busy machine: the scripted app reacts in real time
    personas: { [VP]: vp, [AE]: ae },
    names: { [VP]: 'VP', [AE]: 'AE' },
    print: (l) => lines.push(l),
  });
  const hooks = await createWebhookCollector({
    publicKey: keys.publicKey,
    onEvent: (w) => {
      chain = chain.then(() => react(w)).catch((err) => void lines.push(`driver error: ${err}`));
    },
  });
  cleanups.push(async () => {
    await sim.close();
    await hooks.close();
  });
  const cmd = createCallCommands({ apiKey: 'KEY_TEST', baseURL: sim.url, timeoutMs: 2000 });

  const dial = async (leg: Leg, to: string, extra: Record<string, unknown>) => {
    const d = await cmd.dial({
      connection_id: 'conn-1',
      from: FROM,
      to,
      webhook_url: hooks.url,
      answering_machine_detection: amd as 'detect',
      client_state: cs(leg),
      command_id: cid(leg, 'dial'),
      ...extra,
    });
    legs[leg] = withIds(d).callControlId;
    alive[leg] = true;
  };
  const gather = (leg: Leg, text: string, digits: string) =>
    cmd.gatherUsingSpeak(legs[leg]!, {
      payload: text,
      voice: 'Telnyx.KokoroTTS.af',
      valid_digits: digits,
      maximum_digits: 1,
      timeout_millis: 4000,
      client_state: cs(leg),
      command_id: cid(leg, 'gather'),
    });
  // The client_state of the goodbye prompt: hang up when that one (not an earlier queued one) has played.
  let goodbyeState: string | null = null;
  const say = (leg: Leg, text: string, goodbye = false) => {
    const state = cs(leg);
    if (goodbye) goodbyeState = state;
    return cmd.speak(legs[leg]!, { payload: text, voice: 'Telnyx.KokoroTTS.af', client_state: state, command_id: cid(leg, 'speak') });
  };
  const hangup = (leg: Leg) => cmd.hangup(legs[leg]!, { command_id: cid(leg, 'hangup') });

  async function connect() {
    await cmd.stopTranscription(legs.vp!, { command_id: cid('vp', 'stt-stop') });
    await say('vp', 'Connecting you to Dana now.');
    await dial('ae', AE, { link_to: legs.vp, timeout_secs: 10 });
  }
  async function aeUnavailable() {
    if (alive.ae) await hangup('ae');
    if (!alive.vp) return;
    await say('vp', 'Dana is not available. I will text you the details.', true);
  }

  async function react(w: CollectedWebhook) {
    const { event_type: type, payload } = w.event.data;
    const leg = decodeClientState(payload.client_state)?.leg ?? 'vp';
    const p = payload as Record<string, any>;
    const detail = p['result'] ?? p['status'] ?? p['digit'] ?? p['transcription_data']?.transcript ?? p['hangup_cause'] ?? '';
    sequence.push(`${leg} ${type}${detail ? ` ${detail}` : ''}`);
    if (type === 'call.hangup') alive[leg] = false;

    if (leg === 'vp') {
      if (type === 'call.machine.detection.ended') {
        if (p['result'] !== 'human') return void (await hangup('vp'));
        await cmd.startTranscription(legs.vp!, { transcription_tracks: 'inbound', command_id: cid('vp', 'stt') });
        await gather('vp', 'Acme moved to negotiation at 120k. Say connect me or press 1 to reach Dana.', '1');
      } else if (type === 'call.transcription') {
        const t = String(p['transcription_data'].transcript);
        await cmd.stopGather(legs.vp!, { command_id: cid('vp', 'gather-stop') });
        if (t.includes('connect')) await connect();
        else if (t.includes('repeat')) await gather('vp', 'Again: Acme, negotiation, 120k. Say connect me.', '1');
        else {
          await say('vp', t.includes('later') ? 'OK, I will call back in an hour.' : 'Got it. Bye.', true);
        }
      } else if (type === 'call.gather.ended' && p['status'] === 'valid') {
        await connect();
      } else if (type === 'call.gather.ended' && p['status'] === 'timeout') {
        await hangup('vp');
      } else if (type === 'call.speak.ended' && payload.client_state === goodbyeState) {
        await hangup('vp');
      } else if (type === 'call.hangup' && alive.ae && !bridged) {
        await hangup('ae');
      }
    } else {
      if (type === 'call.machine.detection.ended') {
        if (p['result'] !== 'human') return void (await aeUnavailable());
        await cmd.startTranscription(legs.ae!, { command_id: cid('ae', 'stt') });
        await gather('ae', 'Sam, the VP, wants to talk about Acme. Press 1 or say yes to accept.', '12');
      } else if (
        (type === 'call.gather.ended' && p['status'] === 'valid' && p['digits'] === '1') ||
        (type === 'call.transcription' && /yes/.test(p['transcription_data'].transcript))
      ) {
        if (type === 'call.transcription') await cmd.stopGather(legs.ae!, { command_id: cid('ae', 'gather-stop') });
        await cmd.stopTranscription(legs.ae!, { command_id: cid('ae', 'stt-stop') });
        bridged = true;
        await cmd.bridge(legs.vp!, { call_control_id_to_bridge_with: legs.ae!, command_id: cid('vp', 'bridge') });
      } else if (
        (type === 'call.gather.ended' && p['status'] !== 'cancelled') ||
        (type === 'call.transcription' && /no/.test(p['transcription_data'].transcript)) ||
        (type === 'call.hangup' && !bridged)
      ) {
        await aeUnavailable();
      }
    }
  }

  await dial('vp', VP, { timeout_secs: 20 });
  await sim.whenIdle({ timeoutMs: 15_000 });
  await chain;
  expect(hooks.rejected).toEqual([]);
  expect(lines.filter((l) => l.startsWith('driver error'))).toEqual([]);
  for (const w of hooks.received) expectFixtureShape(w);
  return { sequence, lines, webhooks: hooks.received };
}

/** Each leg's own order is deterministic; how the two legs interleave depends on timing. */
const onLeg = (sequence: string[], leg: Leg) => sequence.filter((s) => s.startsWith(`${leg} `)).map((s) => s.slice(leg.length + 1));

describe('simulated conversations, driven through the SDK', () => {
  it('vpSaysConnect + aeAccepts: briefing, "connect me", whisper, key 1, bridge', async () => {
    const { sequence, lines } = await runFlow(personas.vpSaysConnect, personas.aeAccepts);
    expect(onLeg(sequence, 'vp')).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
      'call.speak.started',
      'call.transcription connect me',
      'call.gather.ended cancelled',
      'call.speak.started',
      'call.speak.ended completed',
      'call.bridged',
      'call.hangup normal_clearing',
    ]);
    expect(onLeg(sequence, 'ae')).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
      'call.speak.started',
      'call.dtmf.received 1',
      'call.gather.ended valid',
      'call.bridged',
      'call.hangup normal_clearing',
    ]);
    expect(sequence.slice(-4)).toEqual([
      'vp call.bridged',
      'ae call.bridged',
      'vp call.hangup normal_clearing',
      'ae call.hangup normal_clearing',
    ]);
    expect(lines).toContain('🗣  VP said: "connect me"');
    expect(lines).toContain('⌨  AE pressed 1');
    expect(lines).toContain('🔗 bridged VP ↔ AE');
    expect(lines.join('\n')).not.toMatch(/\d{5,}/); // no phone numbers in the transcript
  });

  it('vpPressesOne + aeSaysYes', async () => {
    const { sequence } = await runFlow(personas.vpPressesOne, personas.aeSaysYes);
    expect(onLeg(sequence, 'vp').slice(0, 6)).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
      'call.speak.started',
      'call.dtmf.received 1',
      'call.gather.ended valid',
    ]);
    expect(onLeg(sequence, 'ae')).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
      'call.speak.started',
      'call.transcription yes',
      'call.gather.ended cancelled',
      'call.bridged',
      'call.hangup normal_clearing',
    ]);
  });

  it('vpSaysRepeatThenConnect hears the briefing twice', async () => {
    const { sequence } = await runFlow(personas.vpSaysRepeatThenConnect, personas.aeAccepts);
    expect(onLeg(sequence, 'vp')).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
      'call.speak.started',
      'call.transcription can you repeat that',
      'call.gather.ended cancelled',
      'call.speak.started',
      'call.transcription connect me',
      'call.gather.ended cancelled',
      'call.speak.started',
      'call.speak.ended completed',
      'call.bridged',
      'call.hangup normal_clearing',
    ]);
  });

  it('vpNoAnswer: the ring times out', async () => {
    const { sequence } = await runFlow(personas.vpNoAnswer, personas.aeAccepts);
    expect(sequence).toEqual(['vp call.initiated', 'vp call.hangup timeout']);
  });

  it('vpVoicemail: AMD says machine and the app hangs up', async () => {
    const { sequence } = await runFlow(personas.vpVoicemail, personas.aeAccepts);
    expect(sequence).toEqual([
      'vp call.initiated',
      'vp call.answered',
      'vp call.machine.detection.ended machine',
      'vp call.hangup normal_clearing',
    ]);
  });

  it('vpSilent: the gather times out', async () => {
    const { sequence } = await runFlow(personas.vpSilent, personas.aeAccepts);
    expect(sequence).toEqual([
      'vp call.initiated',
      'vp call.answered',
      'vp call.machine.detection.ended human',
      'vp call.speak.started',
      'vp call.gather.ended timeout',
      'vp call.hangup normal_clearing',
    ]);
  });

  it('vpSnoozes and vpDismisses are heard through transcription', async () => {
    for (const [persona, said] of [
      [personas.vpSnoozes, 'remind me later'],
      [personas.vpDismisses, 'got it'],
    ] as const) {
      const { sequence } = await runFlow(persona, personas.aeAccepts);
      expect(sequence.slice(3)).toEqual([
        'vp call.speak.started',
        `vp call.transcription ${said}`,
        'vp call.gather.ended cancelled',
        'vp call.speak.started',
        'vp call.speak.ended completed',
        'vp call.hangup normal_clearing',
      ]);
    }
  });

  it('vpHangsUpWhileAeRings: the app cancels the AE leg', async () => {
    const { sequence } = await runFlow(personas.vpHangsUpWhileAeRings, { ...personas.aeAccepts, ringMs: 20_000 });
    // The "connecting you" prompt is usually still playing when the VP leaves (speak.ended call_hangup).
    expect(onLeg(sequence, 'vp').at(-1)).toBe('call.hangup normal_clearing');
    expect(onLeg(sequence, 'ae')).toEqual(['call.initiated', 'call.hangup originator_cancel']);
  });

  it('aeBusy, aeNoAnswer, aeVoicemail, aeDeclines, aeSaysNo: the VP is told and the call ends', async () => {
    const aeLegs: Record<string, string[]> = {};
    for (const [name, ae] of Object.entries({
      aeBusy: personas.aeBusy,
      aeNoAnswer: personas.aeNoAnswer,
      aeVoicemail: personas.aeVoicemail,
      aeDeclines: personas.aeDeclines,
      aeSaysNo: personas.aeSaysNo,
    })) {
      const { sequence } = await runFlow(personas.vpPressesOne, ae);
      aeLegs[name] = onLeg(sequence, 'ae');
      expect(onLeg(sequence, 'vp').slice(-2)).toEqual(['call.speak.ended completed', 'call.hangup normal_clearing']);
      expect(sequence).not.toContain('vp call.bridged');
    }
    expect(aeLegs).toEqual({
      aeBusy: ['call.initiated', 'call.hangup user_busy'],
      aeNoAnswer: ['call.initiated', 'call.hangup timeout'],
      aeVoicemail: ['call.initiated', 'call.answered', 'call.machine.detection.ended machine', 'call.hangup normal_clearing'],
      aeDeclines: [
        'call.initiated',
        'call.answered',
        'call.machine.detection.ended human',
        'call.speak.started',
        'call.dtmf.received 2',
        'call.gather.ended valid',
        'call.hangup normal_clearing',
      ],
      aeSaysNo: [
        'call.initiated',
        'call.answered',
        'call.machine.detection.ended human',
        'call.speak.started',
        'call.transcription no',
        'call.gather.ended call_hangup', // the app hung up without stopping the gather first
        'call.hangup normal_clearing',
      ],
    });
  });
});
