import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWebhookKeyPair } from '@dda/telnyx';
import { liveCheckCli, liveCheckTester, PROBED_DEFAULTS, runLiveCheckAgainstSimulator } from '../src/live-check/index.ts';
import { createTelnyxSimulator, TELNYX_MODE_MATRIX, type TelnyxModeName } from '../src/telnyx-sim/index.ts';

// The live check's logic run offline: the simulator plays Telnyx in one mode, a scripted tester answers,
// and what the check detects must be exactly the mode the simulator ran in.
const PROBED: TelnyxModeName[] = [
  'default',
  'leg-wide-client-state',
  'dtmf-in-gathers-only',
  'strict-stops',
  'dial-answer-without-ids',
  'charset-webhooks',
];

describe('live check against the simulator', () => {
  for (const name of PROBED) {
    it(`detects the simulator's mode: ${name}`, async () => {
      const report = await runLiveCheckAgainstSimulator(TELNYX_MODE_MATRIX[name]);
      expect(report.commandErrors).toEqual([]);
      expect(report.reached).toBe('done');
      expect(report.detected).toEqual({ ...PROBED_DEFAULTS, ...TELNYX_MODE_MATRIX[name] });
      expect(report.matchingModes).toEqual([name]);
      // What the script made happen, whatever the mode.
      expect(report.observations.transcriptsDuringGather).toEqual(['connect me']);
      expect(report.observations.sayGatherStatus).toBe('timeout');
      expect(report.observations.silentGatherStatus).toBe('timeout');
      expect(report.observations.hangupCause).toBe('normal_clearing');
    }, 30_000);
  }

  it('combined modes are each detected and each named', async () => {
    const modes = { ...TELNYX_MODE_MATRIX['leg-wide-client-state'], ...TELNYX_MODE_MATRIX['strict-stops'] };
    const report = await runLiveCheckAgainstSimulator(modes);
    expect(report.detected).toEqual({ ...PROBED_DEFAULTS, ...modes });
    expect(report.matchingModes.sort()).toEqual(['leg-wide-client-state', 'strict-stops']);
  }, 30_000);
});

describe('npm run live-check (the CLI)', () => {
  it('refuses to call without keys, number and public URL, naming each', async () => {
    const lines: string[] = [];
    const code = await liveCheckCli(['--to', '12345'], {}, (l) => lines.push(l));
    expect(code).toBe(2);
    const text = lines.join('\n');
    for (const name of ['TELNYX_API_KEY', 'TELNYX_CONNECTION_ID', 'TELNYX_PHONE_NUMBER', 'TELNYX_PUBLIC_KEY', '--to', '--public-url']) {
      expect(text).toContain(name);
    }
  });

  it('a real-call run (SDK at TELNYX_BASE_URL, own receiver on --port) writes the report and prints the modes', async () => {
    const keys = generateWebhookKeyPair();
    const to = '+15555550123';
    const sim = await createTelnyxSimulator({
      apiKey: 'KEY_CLI',
      privateKey: keys.privateKey,
      timeScale: 0.05,
      personas: { [to]: liveCheckTester },
      modes: TELNYX_MODE_MATRIX['leg-wide-client-state'],
    });
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'live-check-'));
    const lines: string[] = [];
    try {
      const code = await liveCheckCli(
        [
          '--to',
          to,
          '--public-url',
          `http://127.0.0.1:${port}/telnyx`,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--report',
          join(dir, 'r.json'),
        ],
        {
          TELNYX_API_KEY: 'KEY_CLI',
          TELNYX_CONNECTION_ID: 'conn',
          TELNYX_PHONE_NUMBER: '+15555550199',
          TELNYX_PUBLIC_KEY: keys.publicKey,
          TELNYX_BASE_URL: sim.url,
        },
        (l) => lines.push(l),
      );
      expect(code).toBe(0);
      const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'));
      expect(report.detected).toEqual({ ...PROBED_DEFAULTS, clientStateEcho: 'leg' });
      expect(report.to).not.toContain('5555550123');
      expect(lines).toContain('matching simulator modes: leg-wide-client-state');
      expect(lines.some((l) => l.startsWith('clientStateEcho: leg'))).toBe(true);
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
