/*
 * `npm start`: runs the ingress and every worker as separate processes. Without TELNYX_API_KEY it is sandbox
 * mode: the Merge, Telnyx and AI simulators run in this process and the services are pointed at them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { loadConfigOrExit, SERVICE_NICE, serviceNodeOptions } from '@dda/config';
import { startSandbox, type Sandbox } from '@dda/sandbox';
import { formatLogLine } from '@dda/sandbox/launcher';

const SERVICES = ['ingress', 'briefing-worker', 'dialer-worker', 'call-worker'] as const;

const env: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
const sandbox = !env.TELNYX_API_KEY;
let sim: Sandbox | undefined;

if (sandbox) {
  env.API_TOKEN ||= `sandbox-${randomBytes(12).toString('hex')}`;
  env.REDIS_PREFIX ||= 'sandbox';
  sim = await startSandbox({ env, print: (line) => console.log(line), dataDir: '.data/sandbox' });
  Object.assign(env, sim.env);
}
const config = loadConfigOrExit(env);

const children: ChildProcess[] = [];
for (const name of SERVICES) {
  const nice = env.PROCESS_NICE ?? String(SERVICE_NICE[name] ?? 0);
  const child = spawn(process.execPath, [`services/${name}/src/main.ts`], {
    env: { ...env, PROCESS_NICE: nice, NODE_OPTIONS: serviceNodeOptions(env.NODE_OPTIONS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      const out = formatLogLine(name, line);
      if (out) console.log(out);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`  ${name} exited (${code ?? signal}); stopping everything`);
    void stop(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await sim?.close();
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

const base = `http://localhost:${config.PORT}`;
await waitForHealth(`${base}/health`);
console.log(`
  Deal Desk Alerts is up${sandbox ? ' in SANDBOX mode (simulated Telnyx, Merge and AI)' : ''}.
    page        ${base}/   (sign in with the API token)
    API docs    ${base}/docs
    health      ${base}/health
    API token   ${sandbox ? env.API_TOKEN : '(from API_TOKEN)'}
    alerts      curl -s -H 'authorization: Bearer ${sandbox ? env.API_TOKEN : '$API_TOKEN'}' ${base}/alerts
`);
if (sim) console.log(sim.instructions(base));

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`ingress did not answer ${url}`);
  await stop(1);
}
