import type { Persona, PersonaResponse } from './sim-types.ts';

/**
 * Ready-made people for tests and the sandbox. Speech ("say") is only heard by the app when it has started
 * transcription on that leg; key presses always end a gather_using_speak.
 */
export const personas = {
  vpSaysConnect: { answer: 'human', ringMs: 3000, responses: [{ say: 'connect me' }], talkMs: 20_000 },
  vpPressesOne: { answer: 'human', ringMs: 3000, responses: [{ press: '1' }], talkMs: 20_000 },
  vpNoAnswer: { answer: 'no_answer' },
  vpVoicemail: { answer: 'machine', ringMs: 4000 },
  vpSilent: { answer: 'human', ringMs: 3000, responses: [] },
  vpSaysRepeatThenConnect: {
    answer: 'human',
    ringMs: 3000,
    responses: [{ say: 'can you repeat that' }, { say: 'connect me' }],
    talkMs: 20_000,
  },
  vpSnoozes: { answer: 'human', ringMs: 3000, responses: [{ say: 'remind me later' }] },
  vpDismisses: { answer: 'human', ringMs: 3000, responses: [{ say: 'got it' }] },
  /** Picks up and hangs up at once: with hangupOvertakesAnswer its call.hangup arrives before call.answered. */
  vpPicksUpAndHangsUp: { answer: 'human', ringMs: 3000, hangupAfterAnswerMs: 400 },
  vpHangsUpWhileAeRings: {
    answer: 'human',
    ringMs: 3000,
    responses: [{ say: 'connect me' }],
    hangupDuringRingOfOtherLeg: true,
  },
  aeAccepts: { answer: 'human', ringMs: 4000, responses: [{ press: '1' }], talkMs: 20_000 },
  aeSaysYes: { answer: 'human', ringMs: 4000, responses: [{ say: 'yes' }], talkMs: 20_000 },
  aeBusy: { answer: 'busy', ringMs: 1000 },
  aeNoAnswer: { answer: 'no_answer' },
  aeVoicemail: { answer: 'machine', ringMs: 5000 },
  aeDeclines: { answer: 'human', ringMs: 4000, responses: [{ press: '2' }] },
  aeSaysNo: { answer: 'human', ringMs: 4000, responses: [{ say: 'no' }] },
} satisfies Record<string, Persona>;

/**
 * A caller (sim.incomingCall) who keys in a PIN at the first gather_using_speak, then does `afterwards` at
 * the following ones. The keys wait for a gather's prompt (plain speaks pass them by): the app must gather
 * for the PIN. `terminator` (default '#') is pressed after the PIN, as "followed by the pound key" asks; ''
 * presses the PIN alone, and the gather then ends at maximum_digits or after its inter-digit timeout.
 * `then` is an older name of `afterwards` (biome's noThenProperty flags it in an object literal).
 */
export function callerEntersPin(
  pin: string,
  opts: { afterwards?: PersonaResponse[]; then?: PersonaResponse[]; terminator?: string } = {},
): Persona {
  const next = opts.afterwards ?? opts.then ?? [];
  return { answer: 'human', responses: [{ press: `${pin}${opts.terminator ?? '#'}` }, ...next] };
}
