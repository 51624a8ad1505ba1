import Telnyx from 'telnyx';
import type { CallDialParams } from 'telnyx/resources/calls/calls';
import type {
  ActionAnswerParams,
  ActionBridgeParams,
  ActionGatherUsingSpeakParams,
  ActionHangupParams,
  ActionRejectParams,
  ActionSpeakParams,
  ActionStartTranscriptionParams,
  ActionStopGatherParams,
  ActionStopTranscriptionParams,
} from 'telnyx/resources/calls/actions';
import { isCallEndedError } from './telnyx-errors.ts';

/** command_id is required on every command: it is what makes SDK retries and job re-runs safe (docs/vendor-facts.md, Commands). */
type WithCommandId<T> = T & { command_id: string };

export type CommandOutcome = { ok: true; ended?: undefined } | { ok: true; ended: true };
export type CommandInfo = { action: string; ms: number; outcome: 'ok' | 'ended' | 'error'; status?: number };
/** Ids are null when Telnyx answered a resent dial (same command_id) without them: the leg's webhooks name it. */
export type DialedLeg = { callControlId: string | null; callLegId: string | null; callSessionId: string | null };

export type CallCommandsOptions = {
  apiKey: string;
  baseURL: string;
  /** Per attempt. Telnyx advises resending a command after ~500 ms of silence; the SDK default is 60 s. */
  timeoutMs?: number;
  maxRetries?: number;
  onCommand?: (info: CommandInfo) => void;
};

export type CallCommands = ReturnType<typeof createCallCommands>;

export function createCallCommands(opts: CallCommandsOptions) {
  const client = new Telnyx({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    timeout: opts.timeoutMs ?? 5_000,
    maxRetries: opts.maxRetries ?? 2,
  });
  const actions = client.calls.actions;

  async function timed<T>(action: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const report = (outcome: CommandInfo['outcome'], status?: number) =>
      opts.onCommand?.({ action, ms: Math.round(performance.now() - started), outcome, ...(status ? { status } : {}) });
    try {
      const result = await run();
      report('ok');
      return result;
    } catch (err) {
      const status = err instanceof Telnyx.APIError && typeof err.status === 'number' ? err.status : undefined;
      report(isCallEndedError(err) ? 'ended' : 'error', status);
      throw err;
    }
  }

  /** 90018 means the leg hung up first; callers treat that as done, not as a failure to retry. */
  async function command(action: string, run: () => Promise<unknown>): Promise<CommandOutcome> {
    try {
      await timed(action, run);
      return { ok: true };
    } catch (err) {
      if (isCallEndedError(err)) return { ok: true, ended: true };
      throw err;
    }
  }

  return {
    async dial(body: WithCommandId<CallDialParams>): Promise<DialedLeg> {
      const { data } = await timed('dial', () => client.calls.dial(body));
      // Telnyx ignores a dial whose command_id it has seen, and what it answers then is undocumented (docs/vendor-facts.md,
      // Commands): failing here would fail an alert whose phone is ringing. The leg's webhooks carry its client_state.
      return {
        callControlId: data?.call_control_id ?? null,
        callLegId: data?.call_leg_id ?? null,
        callSessionId: data?.call_session_id ?? null,
      };
    },
    speak: (id: string, body: WithCommandId<ActionSpeakParams>) => command('speak', () => actions.speak(id, body)),
    gatherUsingSpeak: (id: string, body: WithCommandId<ActionGatherUsingSpeakParams>) =>
      command('gather_using_speak', () => actions.gatherUsingSpeak(id, body)),
    stopGather: (id: string, body: WithCommandId<ActionStopGatherParams>) => command('gather_stop', () => actions.stopGather(id, body)),
    startTranscription: (id: string, body: WithCommandId<ActionStartTranscriptionParams>) =>
      command('transcription_start', () => actions.startTranscription(id, body)),
    stopTranscription: (id: string, body: WithCommandId<ActionStopTranscriptionParams>) =>
      command('transcription_stop', () => actions.stopTranscription(id, body)),
    bridge: (id: string, body: WithCommandId<ActionBridgeParams>) => command('bridge', () => actions.bridge(id, body)),
    hangup: (id: string, body: WithCommandId<ActionHangupParams>) => command('hangup', () => actions.hangup(id, body)),
    /** An incoming call (call.initiated, direction 'incoming') must be answered before any other command; call.answered follows. */
    answer: (id: string, body: WithCommandId<ActionAnswerParams>) => command('answer', () => actions.answer(id, body)),
    /** Declines an incoming call that was not answered; it ends with call.hangup. */
    reject: (id: string, body: WithCommandId<ActionRejectParams>) => command('reject', () => actions.reject(id, body)),
  };
}
