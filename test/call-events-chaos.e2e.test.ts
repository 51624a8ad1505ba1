import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { personas } from '@dda/sandbox/telnyx-sim';
import { AE, startCallStack, VP, type CallStack } from './support/call-stack.ts';

let s: CallStack;
beforeAll(async () => {
  s = await startCallStack({ callWorkers: 3 });
}, 90_000);
afterAll(async () => s?.close());

/** Each persona pair with the outcome the in-order golden run gives. */
const cases = [
  { vp: 'vpSaysConnect', ae: 'aeAccepts', outcome: 'connected' },
  { vp: 'vpPressesOne', ae: 'aeSaysYes', outcome: 'connected' },
  { vp: 'vpSaysConnect', ae: 'aeDeclines', outcome: 'ae_unavailable' },
  { vp: 'vpSnoozes', ae: 'aeAccepts', outcome: 'snoozed' },
  { vp: 'vpDismisses', ae: 'aeAccepts', outcome: 'acknowledged' },
  { vp: 'vpPressesOne', ae: 'aeBusy', outcome: 'ae_unavailable' },
] as const;

describe('call events duplicated ×3, shuffled and spread over three call-worker replicas', () => {
  it('end in the same outcome as in order, and every command is issued at most once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), fc.integer({ min: 2, max: 3 }), async (c, copies) => {
        s.telnyx.commands.length = 0;
        s.telnyx.setFaults({ duplicateWebhooks: copies, reorderWebhooks: true });
        s.telnyx.setPersona(VP, personas[c.vp]);
        s.telnyx.setPersona(AE, personas[c.ae]);
        const id = await s.raiseAlert();
        const alert = await s.waitForOutcome(id, 30_000);
        await s.telnyx.whenIdle({ minCalls: 1 });
        expect(alert.outcome).toBe(c.outcome);
        const ids = s.telnyx.commands.map((cmd) => cmd.commandId);
        expect(s.telnyx.commands.filter((cmd) => cmd.duplicate)).toEqual([]);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 8, seed: 7 },
    );
    s.telnyx.setFaults({});
  }, 240_000);
});
