import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Yardsticks for the ingress, each in its own process on the same Fastify the ingress uses, measured back to
 * back with it in one run: the machine's speed changes by the hour, ratios measured minutes apart much less.
 * - The bare server does only what any webhook receiver must: read the body, parse it as JSON, answer 202.
 *   No logging, no signature, no Redis. Ours divided by its rate: how much of the framework's speed our
 *   checks and our queue leave.
 * - The floor (floor-server.ts) does the ingress's obligations and nothing more: how much of that gap the
 *   obligations alone take.
 */
const SERVER = `
const Fastify = (await import(process.env.FASTIFY_PATH)).default;
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser(/^application\\/json/, { parseAs: 'buffer' }, (_req, body, done) => {
  try { done(null, JSON.parse(body.toString('utf8'))); } catch (err) { err.statusCode = 400; done(err); }
});
app.post('/webhooks/crm', async (_req, reply) => reply.code(202).send({ status: 'queued' }));
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write('BARE_LISTENING ' + app.server.address().port + '\\n');
`;

export type Yardstick = { base: string; proc: ChildProcess; stop: () => Promise<void> };

// Resolved from the ingress's and the logger's own dependencies: the very versions the ingress runs on.
const fastifyPath = () => createRequire(new URL('../../services/ingress/package.json', import.meta.url)).resolve('fastify');
const pinoPath = () => createRequire(new URL('../../packages/logger/package.json', import.meta.url)).resolve('pino');

export function startBareFastify(): Promise<Yardstick> {
  return spawnServer(['--input-type=module', '-e', SERVER], { FASTIFY_PATH: fastifyPath() }, 'BARE_LISTENING');
}

/** support/floor-server.ts: the ingress's obligations and nothing else, against `redisUrl`. */
export function startFloorServer(o: { redisUrl: string; mergeKey: string; logFile: string }): Promise<Yardstick> {
  const script = new URL('./floor-server.ts', import.meta.url).pathname;
  return spawnServer(
    [script],
    { FASTIFY_PATH: fastifyPath(), PINO_PATH: pinoPath(), REDIS_URL: o.redisUrl, MERGE_KEY: o.mergeKey, LOG_FILE: o.logFile },
    'FLOOR_LISTENING',
  );
}

async function spawnServer(args: string[], env: Record<string, string>, banner: string): Promise<Yardstick> {
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = new RegExp(`${banner} (\\d+)`).exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`${banner.split('_')[0]!.toLowerCase()} server exited ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
