import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply } from 'fastify';
import { listenOrigin } from '../merge-sim/listen-origin.ts';
import { chatCompletion, completionChunks, tokensIn, usageFor, type FinishReason } from './completion-shapes.ts';
import { BadChatRequest, openAiError, parseChatRequest, type ChatRequest } from './chat-request.ts';
import { replyTo } from './deterministic-reply.ts';
import { garbageReply, overlongReply } from './misbehaving-replies.ts';
import { extractFacts, mergeFacts } from './prompt-facts.ts';

export type AiMode = 'ok' | 'error' | 'timeout' | 'garbage' | 'overlong';
export type AiBehaviour = { latencyMs?: number; mode?: AiMode };

export type AiSimulatorOptions = AiBehaviour & {
  apiKey: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  log?: (line: string) => void;
};

export type AiSimulator = {
  /** The `baseURL` for the openai package, like `https://api.telnyx.com/v2/ai/openai`. */
  url: string;
  close(): Promise<void>;
  /** Changes only the fields given. */
  setBehaviour(b: AiBehaviour): void;
  /** Authenticated chat completion requests, in arrival order. */
  requests: Array<{ body: unknown; at: number }>;
};

const BASE = '/v2/ai/openai';
const MODES = new Set<AiMode>(['ok', 'error', 'timeout', 'garbage', 'overlong']);
/** Long enough that any caller's own timeout fires first; the hold ends at once when the caller leaves. */
const HOLD_MS = 120_000;

export const SIMULATED_MODELS = ['moonshotai/Kimi-K2.6', 'zai-org/GLM-5.1-FP8', 'MiniMaxAI/MiniMax-M2.7'];

/** An OpenAI-compatible chat endpoint (Telnyx AI Inference) whose replies are derived from the prompt. */
export async function createAiSimulator(opts: AiSimulatorOptions): Promise<AiSimulator> {
  let latencyMs = 0;
  let mode: AiMode = 'ok';
  let served = 0;
  const requests: AiSimulator['requests'] = [];
  const closing = new AbortController();
  const log = opts.log ?? (() => {});

  function setBehaviour(b: AiBehaviour): void {
    if (b.mode !== undefined && !MODES.has(b.mode)) throw new RangeError(`unknown AI simulator mode ${b.mode}`);
    if (b.latencyMs !== undefined && !(Number.isFinite(b.latencyMs) && b.latencyMs >= 0))
      throw new RangeError('latencyMs must be a non-negative number');
    latencyMs = b.latencyMs ?? latencyMs;
    mode = b.mode ?? mode;
  }
  setBehaviour(opts);

  /** Resolves after `ms`, or early when the simulator closes or the caller hangs up. */
  async function wait(ms: number, reply: FastifyReply): Promise<'elapsed' | 'gone'> {
    if (ms <= 0) return 'elapsed';
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([closing.signal, gone.signal]) });
      return 'elapsed';
    } catch {
      return 'gone';
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 4 * 1024 * 1024 });
  app.addHook('preClose', async () => closing.abort());
  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply
      .code(status)
      .send(
        openAiError(
          status === 500 ? 'The server had an error while processing your request.' : err.message,
          status === 500 ? 'server_error' : 'invalid_request_error',
        ),
      );
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send(openAiError(`Unknown request URL: ${req.method} ${req.url}.`, 'invalid_request_error', null, 'unknown_url')),
  );

  await app.register(
    async (api) => {
      // Telnyx authenticates before the inference service sees the call, so a bad key gets Telnyx's error shape.
      api.addHook('onRequest', async (req, reply) => {
        const auth = req.headers.authorization;
        if (typeof auth === 'string' && auth === `Bearer ${opts.apiKey}`) return;
        return reply
          .code(401)
          .send({ errors: [{ code: '10009', title: 'Authentication failed', detail: 'The API key is missing or invalid.' }] });
      });
      api.addHook('onResponse', async (req, reply) =>
        log(`ai-sim ${req.method} ${req.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)}ms`),
      );

      api.get('/models', async () => ({
        object: 'list',
        data: SIMULATED_MODELS.map((id) => ({ id, object: 'model', created: 1_767_225_600, owned_by: id.split('/')[0] ?? 'telnyx' })),
      }));

      api.post('/chat/completions', async (req, reply) => {
        requests.push({ body: req.body, at: Date.now() });
        let chat: ChatRequest;
        try {
          chat = parseChatRequest(req.body);
        } catch (err) {
          if (err instanceof BadChatRequest) return reply.code(400).send(openAiError(err.message, 'invalid_request_error', err.param));
          throw err;
        }
        const current = mode;
        if (current === 'timeout') {
          if ((await wait(HOLD_MS, reply)) === 'gone') return reply;
          return reply.code(504).send(openAiError('Upstream inference timed out.', 'server_error'));
        }
        if ((await wait(latencyMs, reply)) === 'gone') return reply;
        if (current === 'error')
          return reply.code(500).send(openAiError('The model is temporarily unavailable. Please retry.', 'server_error'));
        return sendCompletion(reply, chat, current, ++served);
      });
    },
    { prefix: BASE },
  );

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const url = `${listenOrigin(app)}${BASE}`;
  log(`ai-sim listening on ${url}`);
  return {
    url,
    async close() {
      await app.close();
    },
    setBehaviour,
    requests,
  };
}

function sendCompletion(reply: FastifyReply, chat: ChatRequest, mode: AiMode, serial: number): FastifyReply {
  const facts = mergeFacts(...chat.messages.map((m) => extractFacts(m.content)).reverse());
  let content = mode === 'garbage' ? garbageReply(facts) : mode === 'overlong' ? overlongReply(facts) : replyTo(chat.messages);
  let finish: FinishReason = 'stop';
  // Misbehaving modes ignore the cap on purpose: they exist to test the caller's own length checks.
  if (mode === 'ok' && chat.maxTokens !== undefined && tokensIn(content) > chat.maxTokens) {
    content = content.slice(0, chat.maxTokens * 4);
    finish = 'length';
  }
  const prompt = chat.messages.map((m) => m.content).join('\n');
  const usage = usageFor(prompt, content);
  const id = `chatcmpl-${createHash('sha256').update(`${serial}|${chat.model}|${prompt}`).digest('hex').slice(0, 24)}`;
  if (!chat.stream) return reply.send(chatCompletion(id, chat.model, content, usage, finish));
  const events = completionChunks(id, chat.model, content, chat.includeUsage ? usage : null, finish);
  return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(Readable.from(events));
}
