import type { Persona } from '../telnyx-sim/sim-types.ts';

/**
 * A tester who follows the live check's script, for running it against the simulator: quiet through the
 * two opening speaks, says "connect me" during the first gather, presses 1 during the plain speak, then
 * stays silent. `during: 'any'` puts each reaction on the prompt it belongs to, speak or gather.
 */
export const liveCheckTester: Persona = {
  answer: 'human',
  ringMs: 3000,
  hangupAfterIdleMs: 120_000,
  responses: [
    { silence: true, during: 'any' },
    { silence: true, during: 'any' },
    { say: 'connect me', during: 'any' },
    { press: '1', during: 'any' },
    { silence: true, during: 'any' },
  ],
};
