import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TELNYX_MODE_MATRIX } from '../telnyx-sim/mode-matrix.ts';
import { describeReport, PROBED_DEFAULTS } from './detect-modes.ts';
import { runLiveCheck } from './run-live-check.ts';
import { runLiveCheckAgainstSimulator } from './simulated-live-check.ts';
import type { LiveCheckReport } from './live-check-types.ts';

const USAGE = `usage:
  npm run live-check -- --to <your phone, E.164> --public-url <https URL that reaches --port> [--port 8787]
                        [--host 0.0.0.0] [--report live-check-report.json] [--voice Telnyx.KokoroTTS.af_heart]
      env: TELNYX_API_KEY, TELNYX_CONNECTION_ID, TELNYX_PHONE_NUMBER, TELNYX_PUBLIC_KEY (TELNYX_BASE_URL optional)
  npm run live-check -- --simulate [all | <mode name>]   (no keys: the same check against the local simulator)
      modes: ${Object.keys(TELNYX_MODE_MATRIX).join(', ')}`;

const E164 = /^\+[1-9]\d{6,14}$/;

/** `npm run live-check`: returns the exit code. Every refusal names what is missing. */
export async function liveCheckCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        to: { type: 'string' },
        'public-url': { type: 'string' },
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '0.0.0.0' },
        report: { type: 'string', default: 'live-check-report.json' },
        voice: { type: 'string' },
        simulate: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    out(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) return (out(USAGE), 0);

  if (args.simulate !== undefined) return simulate(args.simulate || 'all', args.report, out);

  const missing = ['TELNYX_API_KEY', 'TELNYX_CONNECTION_ID', 'TELNYX_PHONE_NUMBER', 'TELNYX_PUBLIC_KEY'].filter((k) => !env[k]);
  if (!args.to || !E164.test(args.to)) missing.push('--to <E.164 number>');
  if (!args['public-url'] || !/^https?:\/\//.test(args['public-url'])) missing.push('--public-url <http(s) URL>');
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) missing.push('--port <1-65535>');
  if (missing.length) {
    out(`live-check needs: ${missing.join(', ')}\n${USAGE}`);
    return 2;
  }
  out(`Placing one real call to ${args.to!.slice(0, -2).replace(/\d/g, '•')}${args.to!.slice(-2)}; answer it and follow the voice.`);
  const report = await runLiveCheck({
    apiKey: env['TELNYX_API_KEY']!,
    baseURL: env['TELNYX_BASE_URL'] || 'https://api.telnyx.com/v2',
    connectionId: env['TELNYX_CONNECTION_ID']!,
    from: env['TELNYX_PHONE_NUMBER']!,
    to: args.to!,
    publicKey: env['TELNYX_PUBLIC_KEY']!,
    webhookUrl: args['public-url']!,
    host: args.host,
    port,
    ...(args.voice ? { voice: args.voice } : {}),
    log: out,
  });
  await writeFile(args.report, `${JSON.stringify(report, null, 2)}\n`);
  for (const line of describeReport(report)) out(line);
  out(`report: ${args.report}`);
  return report.reached === 'done' ? 0 : 1;
}

/** Runs the check against the simulator in one or every named mode and prints what it detected in each. */
async function simulate(which: string, reportPath: string, out: (line: string) => void): Promise<number> {
  const names = which === 'all' ? Object.keys(TELNYX_MODE_MATRIX) : [which];
  const unknown = names.filter((n) => !Object.hasOwn(TELNYX_MODE_MATRIX, n));
  if (unknown.length) {
    out(`unknown mode ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const reports: Record<string, LiveCheckReport> = {};
  for (const name of names) {
    const report = await runLiveCheckAgainstSimulator(TELNYX_MODE_MATRIX[name as keyof typeof TELNYX_MODE_MATRIX]);
    reports[name] = report;
    const mode = TELNYX_MODE_MATRIX[name as keyof typeof TELNYX_MODE_MATRIX] as Record<string, unknown>;
    const observable = Object.keys(mode).length === 0 || Object.keys(mode).some((k) => k in PROBED_DEFAULTS);
    out(`— simulator mode ${name}: ${JSON.stringify(mode)}${observable ? '' : ' (a call cannot provoke this one: expect default)'}`);
    for (const line of describeReport(report)) out(`  ${line}`);
  }
  await writeFile(reportPath, `${JSON.stringify(names.length === 1 ? reports[names[0]!] : reports, null, 2)}\n`);
  out(`report: ${reportPath}`);
  return 0;
}
