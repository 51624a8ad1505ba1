import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAiSimulator, type AiSimulator } from '../src/ai-sim/index.ts';

const API_KEY = 'telnyx-test-key';
const MODEL = 'moonshotai/Kimi-K2.6';
const PROMPT = [
  'Write a short spoken briefing for the VP of Sales. No markdown.',
  'Deal: Northwind - Platform Expansion FY26',
  'Account: Northwind Traders',
  'Amount: $185,000',
  'Previous stage: Proposal/Price Quote',
  'Stage: Negotiation/Review',
  'Owner: Dana Whitfield (dana.whitfield@northwind.example)',
  'Close date: December 19',
  'Notes:',
  '- Moved to Negotiation/Review after verbal from CFO. Risk: competitor quoted 15% lower.',
].join('\n');

let sim: AiSimulator;
let client: OpenAI;
beforeEach(async () => {
  sim = await createAiSimulator({ apiKey: API_KEY });
  client = new OpenAI({ apiKey: API_KEY, baseURL: sim.url, maxRetries: 0 });
});
afterEach(() => sim.close());

const ask = (content = PROMPT) => client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });

describe('AI simulator through the openai package', () => {
  it('answers a plain completion in the exact chat.completion shape', async () => {
    const res = await ask();
    expect(Object.keys(res).sort()).toEqual(['choices', 'created', 'id', 'model', 'object', 'usage']);
    expect(res).toMatchObject({
      object: 'chat.completion',
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
    const content = res.choices[0]?.message.content ?? '';
    const words = content.split(/\s+/).filter(Boolean).length;
    expect(words).toBeGreaterThanOrEqual(40);
    expect(words).toBeLessThanOrEqual(70);
    for (const value of ['Northwind Traders', '$185,000', 'Negotiation/Review', 'Dana Whitfield', 'December 19'])
      expect(content).toContain(value);
    expect(content).not.toMatch(/[*#`[\]@]|\n/);
  });

  it('is deterministic: the same prompt gets the same words', async () => {
    const [a, b] = await Promise.all([ask(), ask()]);
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
  });

  it('streams chunks that add up to the plain reply, ending with [DONE]', async () => {
    const plain = (await ask()).choices[0]?.message.content;
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(plain);
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('ends the raw SSE body with data: [DONE]', async () => {
    const res = await fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect((await res.text()).endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('answers a question about the deal in one sentence', async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: 'Briefing given.' },
        { role: 'user', content: 'Who owns this deal?' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('Dana Whitfield owns Northwind - Platform Expansion FY26.');
  });

  it('accepts Telnyx-only fields such as enable_thinking, and records the request', async () => {
    const body = { model: MODEL, messages: [{ role: 'user' as const, content: PROMPT }], enable_thinking: false, region: 'us' };
    await expect(client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)).resolves.toBeTruthy();
    expect(sim.requests.at(-1)?.body).toMatchObject({ enable_thinking: false, region: 'us' });
  });

  it('lists models in the OpenAI list shape', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain(MODEL);
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String), created: expect.any(Number) });
  });

  it('rejects a wrong key with 401', async () => {
    const wrong = new OpenAI({ apiKey: 'not-the-key', baseURL: sim.url, maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    expect(sim.requests).toHaveLength(0);
  });

  it('rejects a request without model or messages with 400', async () => {
    await expect(client.chat.completions.create({ model: '', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 400,
      param: 'model',
    });
    await expect(client.chat.completions.create({ model: MODEL, messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
  });
});

describe('behaviours', () => {
  it('error mode answers 500', async () => {
    sim.setBehaviour({ mode: 'error' });
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    sim.setBehaviour({ mode: 'ok' });
    await expect(ask()).resolves.toBeTruthy();
  });

  it('honours latency before answering', async () => {
    sim.setBehaviour({ latencyMs: 300 });
    const started = performance.now();
    await ask();
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('timeout mode holds the answer past the caller’s timeout, and close() is still quick', async () => {
    sim.setBehaviour({ mode: 'timeout' });
    await expect(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }, { timeout: 200 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const pending = ask().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('garbage mode returns markdown, emoji and links', async () => {
    sim.setBehaviour({ mode: 'garbage' });
    const content = (await ask()).choices[0]?.message.content ?? '';
    expect(content).toMatch(/\*\*|##/);
    expect(content).toMatch(/https?:\/\//);
    expect(content).toMatch(/\p{Extended_Pictographic}/u);
  });

  it('overlong mode returns about 5,000 characters even when max_tokens is small', async () => {
    sim.setBehaviour({ mode: 'overlong' });
    const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 100 });
    const length = res.choices[0]?.message.content?.length ?? 0;
    expect(length).toBeGreaterThan(4800);
    expect(length).toBeLessThanOrEqual(5000);
  });

  it('ok mode cuts at max_tokens with finish_reason length', async () => {
    const res = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 });
    expect(res.choices[0]?.finish_reason).toBe('length');
    expect(res.choices[0]?.message.content?.length).toBeLessThanOrEqual(40);
  });
});
