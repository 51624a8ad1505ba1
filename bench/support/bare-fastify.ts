import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The yardstick for the ingress: the same Fastify the ingress uses, on this machine, in its own process,
 * doing only what any webhook receiver must — read the body, parse it as JSON, answer 202. No logging, no
 * signature, no Redis. The ingress's rate divided by this one's, measured back to back in one run, says how
 * much of the framework's speed our checks and our queue leave, whatever the machine's mood that hour.
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

export type BareFastify = { base: string; proc: ChildProcess; stop: () => Promise<void> };

export async function startBareFastify(): Promise<BareFastify> {
  // Resolved from the ingress's own dependencies: the very Fastify version it runs on.
  const fastifyPath = createRequire(new URL('../../services/ingress/package.json', import.meta.url)).resolve('fastify');
  const proc = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    env: { ...process.env, FASTIFY_PATH: fastifyPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const m = /BARE_LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`bare Fastify server exited ${code}`)));
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
