import { randomUUID } from 'node:crypto';
import { commandId, createCallCommands, type CommandOutcome } from '@dda/telnyx';
import { maskNumber } from '../telnyx-sim/print-lines.ts';
import { createWebhookCollector, type CollectedWebhook } from '../telnyx-sim/webhook-collector.ts';
import { detectModes, matchingModes } from './detect-modes.ts';
import type { CommandAnswer, LiveCheckOptions, LiveCheckReport, SeenEvent } from './live-check-types.ts';

// Spoken script. Each line is short so a tester hears it once and knows what to do.
export const SCRIPT = {
  first: 'Hello, this is the Deal Desk Alerts live check.',
  second: 'It takes about a minute. Please follow three short instructions.',
  sayConnect: 'First: say the words, connect me, now.',
  pressOne: 'Second: press 1 on your keypad, now.',
  staySilent: 'Third: stay silent until the call ends.',
  goodbye: 'Thank you. The live check is done. Goodbye.',
} as const;

// Real milliseconds; waits for events are upper bounds, scaled by timeScale but never under MIN_WAIT_MS.
const ANSWER_WAIT_MS = 45_000;
const PROMPT_WAIT_MS = 30_000;
const SAY_GATHER_TIMEOUT_MS = 6_000; // Telnyx's timeout_millis: how long the "say connect me" gather listens
const SILENT_GATHER_TIMEOUT_MS = 3_000;
const DTMF_GRACE_MS = 3_000; // a tester presses a moment after the prompt ends
const SETTLE_MS = 1_500;
const MIN_WAIT_MS = 3_000;
const DEFAULT_VOICE = 'Telnyx.KokoroTTS.af_heart';

class CallEnded extends Error {}

const b64 = (s: string) => Buffer.from(`lc:${s}`).toString('base64');
/** Our client_state labels back; anything else (another app's state) shows raw. */
function label(cs: unknown): string | null {
  if (typeof cs !== 'string') return null;
  const text = Buffer.from(cs, 'base64').toString('utf8');
  return text.startsWith('lc:') ? text.slice(3) : cs;
}

/**
 * Places one call and walks the script: two back-to-back speaks (client_state echo), a gather with
 * transcription running while the tester says "connect me", a plain speak while they press 1, a silent
 * gather, then stop probes with nothing running, a goodbye and a hang-up. The dial is resent once with
 * the same command_id right away: Telnyx ignores it, and its answer is the observation.
 */
export async function runLiveCheck(opts: LiveCheckOptions): Promise<LiveCheckReport> {
  const scale = opts.timeScale ?? 1;
  const log = opts.log ?? (() => {});
  const voice = opts.voice ?? DEFAULT_VOICE;
  const waitMs = (ms: number) => Math.max(MIN_WAIT_MS, ms * scale);
  const run = randomUUID();
  const cid = (step: string) => commandId(`live-check-${run}`, step);
  const startedAt = new Date().toISOString();
  const commandErrors: LiveCheckReport['commandErrors'] = [];
  const obs: LiveCheckReport['observations'] = {
    firstSpeakEndedClientState: null,
    transcriptsDuringGather: [],
    sayGatherStatus: null,
    digitsOutsideGather: [],
    silentGatherStatus: null,
    gatherStopWithNothingRunning: null,
    transcriptionStopWithNothingRunning: null,
    duplicateDial: null,
    webhookContentTypes: [],
    speakEndedStatuses: [],
    gatherEndedStatuses: [],
    hangupCause: null,
  };

  const hooks = await createWebhookCollector({
    publicKey: opts.publicKey,
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
  });
  const cmd = createCallCommands({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: 10_000, maxRetries: 2 });
  let legId: string | null = null;
  let ccid: string | null = null;
  let ended = false;
  let reached = 'dial';
  const typeOf = (w: CollectedWebhook) => w.event.data.event_type;
  const mine = (w: CollectedWebhook) => legId !== null && w.event.data.payload.call_leg_id === legId;
  const mineOf = (type: string) => hooks.received.filter((w) => mine(w) && typeOf(w) === type);

  /** The first of our webhooks matching, or null on timeout; a hang-up first ends the script. */
  async function until(type: string, ms: number, extra: (w: CollectedWebhook) => boolean = () => true) {
    const w = await hooks
      .waitFor((x) => mine(x) && ((typeOf(x) === type && extra(x)) || typeOf(x) === 'call.hangup'), waitMs(ms))
      .catch(() => null);
    if (w && typeOf(w) === 'call.hangup' && type !== 'call.hangup') {
      ended = true;
      throw new CallEnded(`the call ended while waiting for ${type}`);
    }
    return w;
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms * scale));

  /** Runs one command; a 90018 (leg gone) ends the script, an error is returned as the answer. */
  async function send(step: string, fn: () => Promise<CommandOutcome>, expectError = false): Promise<CommandAnswer> {
    try {
      const res = await fn();
      if (res.ended) {
        ended = true;
        throw new CallEnded(`the call had ended at ${step}`);
      }
      return { status: 200 };
    } catch (err) {
      if (err instanceof CallEnded) throw err;
      const answer = answerOf(err);
      if (!expectError) {
        commandErrors.push({ step, answer });
        log(`⚠  ${step} answered ${answer.status} ${JSON.stringify(answer.body ?? answer.message)}`);
      }
      return answer;
    }
  }
  const speak = (step: string, payload: string, state: string) =>
    send(step, () => cmd.speak(ccid!, { payload, voice, client_state: b64(state), command_id: cid(step) }));
  const gather = (step: string, payload: string, timeoutMs: number) =>
    send(step, () =>
      cmd.gatherUsingSpeak(ccid!, {
        payload,
        voice,
        maximum_digits: 1,
        timeout_millis: timeoutMs,
        client_state: b64(step),
        command_id: cid(step),
      }),
    );

  try {
    const dialBody = {
      connection_id: opts.connectionId,
      from: opts.from,
      to: opts.to,
      webhook_url: opts.webhookUrl ?? hooks.url,
      client_state: b64('dial'),
      timeout_secs: 30,
      command_id: cid('dial'),
    };
    log(`☎  dialling ${maskNumber(opts.to)} (webhooks to ${dialBody.webhook_url})`);
    const leg = await cmd.dial(dialBody);
    if (!leg.callControlId || !leg.callLegId) throw new Error(`the first dial's answer has no ids: ${JSON.stringify(leg)}`);
    legId = leg.callLegId;
    ccid = leg.callControlId;
    obs.duplicateDial = await resendDial(dialBody, leg.callControlId);
    log(`   resent dial (same command_id): ${obs.duplicateDial.outcome}`);

    const answered = await until('call.answered', ANSWER_WAIT_MS);
    if (!answered) throw new CallEnded('not answered in time');
    reached = 'answered';
    log('✅ answered');

    // Two speaks back to back: the first is still playing when the second's client_state is sent.
    reached = 'client-state-probe';
    await speak('first', SCRIPT.first, 'first');
    await speak('second', SCRIPT.second, 'second');
    await until('call.speak.ended', PROMPT_WAIT_MS, () => mineOf('call.speak.ended').length >= 2);
    const speakEnded = mineOf('call.speak.ended').sort((a, b) => a.event.data.occurred_at.localeCompare(b.event.data.occurred_at));
    obs.firstSpeakEndedClientState = label(speakEnded[0]?.event.data.payload.client_state);

    reached = 'say-gather';
    await send('transcription_start', () =>
      cmd.startTranscription(ccid!, {
        transcription_engine: 'Google',
        transcription_tracks: 'inbound',
        client_state: b64('transcription'),
        command_id: cid('transcription_start'),
      } as Parameters<typeof cmd.startTranscription>[1]),
    );
    const gatherSentAt = Date.now();
    const sayAnswer = await gather('say-gather', SCRIPT.sayConnect, SAY_GATHER_TIMEOUT_MS * scale);
    const sayEnded = sayAnswer.status === 200 ? await until('call.gather.ended', PROMPT_WAIT_MS + SAY_GATHER_TIMEOUT_MS) : null;
    const sayEndedAt = sayEnded?.receivedAt ?? Date.now();
    obs.sayGatherStatus = (sayEnded?.event.data.payload['status'] as string | undefined) ?? null;
    obs.transcriptsDuringGather = mineOf('call.transcription')
      .filter((w) => w.receivedAt >= gatherSentAt && w.receivedAt <= sayEndedAt)
      .map((w) => String((w.event.data.payload['transcription_data'] as { transcript?: unknown } | undefined)?.transcript ?? ''));
    log(`   say-gather ended ${obs.sayGatherStatus}; transcripts during it: ${JSON.stringify(obs.transcriptsDuringGather)}`);

    reached = 'press-speak';
    const pressSentAt = Date.now();
    await speak('press-speak', SCRIPT.pressOne, 'press-speak');
    await until('call.speak.ended', PROMPT_WAIT_MS, (w) => w.receivedAt >= pressSentAt);
    await sleep(DTMF_GRACE_MS);
    obs.digitsOutsideGather = mineOf('call.dtmf.received')
      .filter((w) => w.receivedAt >= pressSentAt)
      .map((w) => String(w.event.data.payload['digit'] ?? ''));
    log(`   digits during the plain speak: ${JSON.stringify(obs.digitsOutsideGather)}`);

    reached = 'silent-gather';
    const silentSentAt = Date.now();
    const silentAnswer = await gather('silent-gather', SCRIPT.staySilent, SILENT_GATHER_TIMEOUT_MS * scale);
    const silentEnded =
      silentAnswer.status === 200
        ? await until('call.gather.ended', PROMPT_WAIT_MS + SILENT_GATHER_TIMEOUT_MS, (w) => w.receivedAt >= silentSentAt)
        : null;
    obs.silentGatherStatus = (silentEnded?.event.data.payload['status'] as string | undefined) ?? null;

    // Nothing runs now: what does stopping nothing answer?
    reached = 'stop-probes';
    obs.gatherStopWithNothingRunning = await send(
      'gather_stop (nothing running)',
      () => cmd.stopGather(ccid!, { command_id: cid('gather_stop') }),
      true,
    );
    await send('transcription_stop', () => cmd.stopTranscription(ccid!, { command_id: cid('transcription_stop-1') }));
    obs.transcriptionStopWithNothingRunning = await send(
      'transcription_stop (nothing running)',
      () => cmd.stopTranscription(ccid!, { command_id: cid('transcription_stop-2') }),
      true,
    );

    reached = 'goodbye';
    const byeSentAt = Date.now();
    await speak('goodbye', SCRIPT.goodbye, 'goodbye');
    await until('call.speak.ended', PROMPT_WAIT_MS, (w) => w.receivedAt >= byeSentAt);
    reached = 'done';
  } catch (err) {
    if (!(err instanceof CallEnded)) {
      commandErrors.push({ step: reached, answer: answerOf(err) });
      log(`⚠  stopped at ${reached}: ${String(err)}`);
    } else log(`📴 ${err.message}`);
  } finally {
    if (ccid && !ended) {
      await cmd.hangup(ccid, { command_id: cid('hangup') }).catch(() => undefined);
    }
    if (legId) {
      await until('call.hangup', SETTLE_MS * 4).catch(() => null);
      await sleep(SETTLE_MS);
    }
    await hooks.close();
  }

  const ours = hooks.received.filter(mine);
  const events: SeenEvent[] = ours.map(seenEvent);
  obs.webhookContentTypes = [...new Set(events.map((e) => e.contentType ?? '(none)'))];
  obs.speakEndedStatuses = events.filter((e) => e.eventType === 'call.speak.ended').map((e) => e.status ?? '');
  obs.gatherEndedStatuses = events.filter((e) => e.eventType === 'call.gather.ended').map((e) => e.status ?? '');
  obs.hangupCause = (ours.find((w) => typeOf(w) === 'call.hangup')?.event.data.payload['hangup_cause'] as string | undefined) ?? null;
  const detected = detectModes(obs);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    baseURL: opts.baseURL,
    to: maskNumber(opts.to),
    callControlId: ccid,
    reached,
    observations: obs,
    commandErrors,
    events,
    detected,
    matchingModes: matchingModes(detected),
  };

  /** The duplicate's answer decides duplicateDialAnswer; a real second call (not ignored) is hung up at once. */
  async function resendDial(
    body: Parameters<typeof cmd.dial>[0],
    originalId: string,
  ): Promise<NonNullable<LiveCheckReport['observations']['duplicateDial']>> {
    try {
      const again = await cmd.dial(body);
      if (again.callControlId === null) return { outcome: 'without_ids' };
      if (again.callControlId === originalId) return { outcome: 'with_ids' };
      await cmd.hangup(again.callControlId, { command_id: cid('hangup-duplicate') }).catch(() => undefined);
      return { outcome: 'new_call' };
    } catch (err) {
      return { outcome: 'error', detail: answerOf(err) };
    }
  }
}

function answerOf(err: unknown): CommandAnswer {
  const e = err as { status?: unknown; error?: unknown; message?: unknown };
  return {
    status: typeof e?.status === 'number' ? e.status : 0,
    ...(e?.error !== undefined ? { body: e.error } : {}),
    ...(typeof e?.message === 'string' ? { message: e.message } : {}),
  };
}

function seenEvent(w: CollectedWebhook): SeenEvent {
  const p = w.event.data.payload as Record<string, unknown>;
  const ct = w.headers['content-type'];
  const t = (p['transcription_data'] as { transcript?: unknown } | undefined)?.transcript;
  return {
    eventType: w.event.data.event_type,
    occurredAt: w.event.data.occurred_at,
    receivedAt: w.receivedAt,
    contentType: typeof ct === 'string' ? ct : null,
    clientState: label(p['client_state']),
    ...(typeof p['status'] === 'string' ? { status: p['status'] } : {}),
    ...(typeof p['digit'] === 'string' ? { digit: p['digit'] } : {}),
    ...(typeof p['digits'] === 'string' ? { digits: p['digits'] } : {}),
    ...(typeof t === 'string' ? { transcript: t } : {}),
  };
}
