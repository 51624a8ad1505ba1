import { generateWebhookKeyPair } from '@dda/telnyx';
import { createTelnyxSimulator } from '../telnyx-sim/create-simulator.ts';
import type { TelnyxModes } from '../telnyx-sim/sim-types.ts';
import { liveCheckTester } from './live-check-persona.ts';
import { runLiveCheck } from './run-live-check.ts';
import type { LiveCheckReport } from './live-check-types.ts';

const TESTER = '+15555550100';
const CALLER = '+15555550199';

/**
 * The live check against a local simulator running `modes`, with a tester who follows the script: what
 * `npm run live-check -- --simulate` runs and what the tests assert (the detected mode must be the mode
 * the simulator ran in). Everything stays on loopback.
 */
export async function runLiveCheckAgainstSimulator(
  modes: TelnyxModes,
  opts: { timeScale?: number; log?: (line: string) => void; print?: (line: string) => void } = {},
): Promise<LiveCheckReport> {
  const timeScale = opts.timeScale ?? 0.05;
  const keys = generateWebhookKeyPair();
  const sim = await createTelnyxSimulator({
    apiKey: 'KEY_LIVE_CHECK_SIM',
    privateKey: keys.privateKey,
    timeScale,
    personas: { [TESTER]: liveCheckTester },
    names: { [TESTER]: 'tester' },
    modes,
    ...(opts.print ? { print: opts.print } : {}),
  });
  try {
    return await runLiveCheck({
      apiKey: 'KEY_LIVE_CHECK_SIM',
      baseURL: sim.url,
      connectionId: 'live-check-sim',
      from: CALLER,
      to: TESTER,
      publicKey: keys.publicKey,
      timeScale,
      ...(opts.log ? { log: opts.log } : {}),
    });
  } finally {
    await sim.close();
  }
}
