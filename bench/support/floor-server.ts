/**
 * The floor: the least a webhook receiver with the ingress's obligations can do, written plainly and cheaply,
 * in its own process, for the benchmark to measure next to the bare server and the ingress. Per request it
 * checks the HMAC over the raw bytes, parses the JSON, writes the change to Redis durably (a dedupe marker and
 * a stream entry; one script call per event-loop turn; the benchmark's Redis and fsync policy), answers 202
 * and writes one pino log line to a file. No schema, redaction, metrics, replica wait or caches; its stream is
 * capped at 100,000 entries, as a relay draining it would keep it. If the ingress comes close to this, what
 * is left between it and the bare server is the obligations themselves, not how the ingress meets them.
 *
 * Started by startFloorServer (yardstick-servers.ts), which names the Fastify and pino the ingress runs on.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Redis } from 'ioredis';

type Reply = { code: (n: number) => Reply; send: (b: unknown) => unknown };
type Req = { body: Buffer; headers: Record<string, string | undefined>; method: string; url: string; jobId?: string };
type App = {
  removeAllContentTypeParsers: () => void;
  addContentTypeParser: (t: RegExp, o: object, f: (r: unknown, b: Buffer, d: (e: Error | null, b?: Buffer) => void) => void) => void;
  addHook: (name: 'onResponse', f: (req: Req, reply: { statusCode: number }, done: () => void) => void) => void;
  post: (path: string, h: (req: Req, reply: Reply) => Promise<unknown>) => void;
  listen: (o: { port: number; host: string }) => Promise<string>;
  server: { address: () => { port: number } };
};

const env = (name: string) => process.env[name] ?? (process.exit(2) as never);
const Fastify = (await import(env('FASTIFY_PATH'))).default as (o: object) => App;
const { pino } = (await import(env('PINO_PATH'))) as {
  pino: ((o: object, dest: unknown) => { info: (o: object, msg: string) => void }) & {
    destination: (o: { dest: string; sync: boolean; minLength: number }) => unknown;
    stdTimeFunctions: { isoTime: () => string };
  };
};
const key = env('MERGE_KEY');
const redis = new Redis(env('REDIS_URL'), { enableAutoPipelining: true });
// The changes of one event-loop turn in one script call, the cheapest way this machine has found to write them
// (packages/queues/src/crm-inbox.ts measures it): KEYS[1] the stream, then a marker per change.
const ACCEPT = `local out = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'EX', 604800, 'NX') then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', 100000, '*', 'job', ARGV[2 * i - 3], 'data', ARGV[2 * i - 2])
    out[i - 1] = 1
  else out[i - 1] = 0 end
end
return out`;
const sha = (await redis.script('LOAD', ACCEPT)) as string;
let turn: { jobId: string; data: string; done: (added: number) => void; fail: (e: unknown) => void }[] = [];
function write(jobId: string, data: string): Promise<number> {
  return new Promise((done, fail) => {
    if (!turn.length)
      setImmediate(() => {
        const batch = turn;
        turn = [];
        const keys = ['floor:inbox', ...batch.map((c) => `floor:seen:${c.jobId}`)];
        redis.evalsha(sha, keys.length, ...keys, ...batch.flatMap((c) => [c.jobId, c.data])).then(
          (added) => {
            for (const [i, c] of batch.entries()) c.done((added as number[])[i]!);
          },
          (err: unknown) => {
            for (const c of batch) c.fail(err);
          },
        );
      });
    turn.push({ jobId, data, done, fail });
  });
}
const log = pino(
  { base: { service: 'floor' }, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: env('LOG_FILE'), sync: false, minLength: 4096 }),
);

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser(/^application\/json/, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.addHook('onResponse', (req, reply, done) => {
  log.info({ method: req.method, url: req.url, status: reply.statusCode, job_id: req.jobId }, 'request');
  done();
});
app.post('/webhooks/crm', async (req, reply) => {
  const given = Buffer.from(req.headers['x-merge-webhook-signature'] ?? '');
  const expected = Buffer.from(createHmac('sha256', key).update(req.body).digest('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({ error: 'bad_signature' });
  let json: { hook?: { id?: string }; data?: { id?: string } };
  try {
    json = JSON.parse(req.body.toString('utf8'));
  } catch {
    return reply.code(400).send({ error: 'bad_body' });
  }
  const jobId = `${json.hook?.id}`;
  req.jobId = jobId;
  const data = JSON.stringify({ opportunityId: json.data?.id, record: json.data });
  const added = await write(jobId, data);
  return reply.code(added === 1 ? 202 : 200).send({ status: added === 1 ? 'queued' : 'duplicate', job_id: jobId });
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`FLOOR_LISTENING ${app.server.address().port}\n`);
