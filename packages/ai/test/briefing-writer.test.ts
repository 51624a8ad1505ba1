import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { cleanForSpeech, headline, templateBriefing, wordCount } from '@dda/domain';
import { createAlertsRepository, type Alert, type AlertsRepository, type NewAlert } from '@dda/store';
import { createMergeClient, type MergeClient } from '@dda/merge';
import { createAiSimulator, replyTo, type AiSimulator, type ChatMessage } from '@dda/sandbox/ai-sim';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@dda/testkit';
import { buildBriefingContext, createAiClient, judgeBriefing, writeBriefing, type BriefingWriterDeps } from '../src/index.ts';
import { GOLDEN, NOW } from './golden-deals.ts';

const AI_KEY = 'briefing-test-ai-key';
const MODEL = 'moonshotai/Kimi-K2.6';

let redis: Redis;
let alerts: AlertsRepository;
let ai: AiSimulator;
let merge: MergeSimulator;
let mergeClient: MergeClient;
const prefix = uniquePrefix('brief');
const lines: Array<Record<string, unknown>> = [];
const log = {
  info: (o: object, msg: string) => void lines.push({ ...o, level: 'info', msg }),
  warn: (o: object, msg: string) => void lines.push({ ...o, level: 'warn', msg }),
};

beforeAll(async () => {
  redis = new Redis(await testRedisUrl());
  alerts = createAlertsRepository(redis, prefix);
  ai = await createAiSimulator({ apiKey: AI_KEY });
  merge = await createMergeSimulator({ apiKey: 'brief-merge-key', accountToken: 'brief-account' });
  mergeClient = createMergeClient({
    baseUrl: merge.url,
    apiKey: 'brief-merge-key',
    accountToken: 'brief-account',
    maxRetries: 0,
    timeoutMs: 1500,
  });
});
afterAll(async () => {
  await ai?.close();
  await merge?.close();
  await deleteKeys(redis, prefix);
  redis?.disconnect();
});
beforeEach(() => {
  ai.setBehaviour({ mode: 'ok', latencyMs: 0 });
  ai.requests.length = 0;
  merge.setFaults({ latencyMs: 0 });
  merge.requests.length = 0;
  lines.length = 0;
});

function deps(over: Partial<BriefingWriterDeps> = {}): BriefingWriterDeps {
  return {
    alerts,
    listNotes: (id) => mergeClient.listNotes(id),
    ai: createAiClient({ baseURL: ai.url, apiKey: AI_KEY, model: MODEL }),
    timeoutMs: 2000,
    log,
    now: () => NOW,
    ...over,
  };
}

async function newAlert(k: keyof typeof GOLDEN): Promise<string> {
  const { source, reason, reasons, deal } = GOLDEN[k];
  const doc: NewAlert = { source, reason, reasons, deal };
  return alerts.createManual(doc);
}

const stored = async (id: string) => (await alerts.get(id)) as Alert;
const templateOf = (k: keyof typeof GOLDEN) => templateBriefing(buildBriefingContext(GOLDEN[k], [], NOW).facts);
const lastTimeline = (a: Alert) => a.timeline.at(-1)!;
const userMessageOf = (i = 0) =>
  (ai.requests[i]!.body as { messages: ChatMessage[] }).messages.find((m) => m.role === 'user')?.content ?? '';

describe('the AI briefing is stored when the model answers well and in time', () => {
  it('mode ok at 300 ms: the cleaned AI text with model and latency; the prompt carried the deal, Merge notes and enable_thinking false', async () => {
    ai.setBehaviour({ latencyMs: 300 });
    const id = await newAlert('northwind');
    const res = await writeBriefing(deps(), id);
    expect(res).toMatchObject({ fallback: false, fallback_reason: null, model: MODEL });

    const a = await stored(id);
    expect(a.briefing).toMatchObject({
      fallback: false,
      fallback_reason: null,
      model: MODEL,
      headline: headline(buildBriefingContext(a, [], NOW).facts),
    });
    expect(a.briefing!.latency_ms).toBeGreaterThanOrEqual(300);
    expect(a.briefing!.latency_ms).toBeLessThan(2000);
    expect(Date.parse(a.briefing!.written_at)).not.toBeNaN();

    // Exactly the simulated model's words for this prompt, cleaned for speech.
    const body = ai.requests[0]!.body as Record<string, unknown>;
    expect(a.briefing!.text).toBe(cleanForSpeech(replyTo(body['messages'] as ChatMessage[])));
    expect(a.briefing!.text).toContain('Northwind Traders');
    expect(a.briefing!.text).toContain('one hundred eighty-five thousand dollars');
    expect(a.briefing!.text).toContain('Dana Whitfield');
    expect(a.briefing!.text).not.toMatch(/\$|\d{3}/);
    expect(wordCount(a.briefing!.text)).toBeLessThanOrEqual(120);

    expect(body).toMatchObject({ model: MODEL, enable_thinking: false, max_tokens: 300 });
    expect(userMessageOf()).toContain(
      '- Moved to Negotiation/Review after verbal from CFO. Risk: competitor quoted fifteen percent lower.',
    );
    expect(merge.requests.filter((r) => r.path === '/crm/v1/notes')).toHaveLength(1);

    expect(lastTimeline(a)).toMatchObject({ event: 'briefing.written', model: MODEL, latency_ms: a.briefing!.latency_ms, fallback: false });
    expect(lines.find((l) => l.msg === 'briefing written')).toMatchObject({ alert_id: id, fallback: false, model: MODEL });
  });

  it('a manual alert has no Merge deal: no notes are asked for, the briefing still names the account', async () => {
    const id = await newAlert('manual');
    await writeBriefing(deps(), id);
    const a = await stored(id);
    expect(a.briefing).toMatchObject({ fallback: false, model: MODEL });
    expect(a.briefing!.text).toContain('Northwind Traders');
    expect(a.briefing!.text).toContain('one point two million dollars');
    expect(merge.requests).toHaveLength(0);
    expect(userMessageOf()).toContain('Notes: none');
  });

  it('EUR and GBP amounts reach the model, and come back, in words', async () => {
    for (const k of ['contosoEur', 'tailspinGbp'] as const) {
      const id = await newAlert(k);
      await writeBriefing(deps({ listNotes: null }), id);
      const a = await stored(id);
      expect(a.briefing!.fallback, k).toBe(false);
      expect(a.briefing!.text).toContain(k === 'contosoEur' ? 'two point seven five million euros' : 'nine thousand five hundred pounds');
    }
  });

  it('slow Merge notes do not hold the briefing up: it goes out without notes, within the budget', async () => {
    merge.setFaults({ latencyMs: 3000 });
    const id = await newAlert('northwind');
    const t0 = performance.now();
    await writeBriefing(deps(), id);
    expect(performance.now() - t0).toBeLessThan(1500);
    const a = await stored(id);
    expect(a.briefing!.fallback).toBe(false);
    expect(userMessageOf()).toContain('Notes: none');
    expect(lines.find((l) => l.msg === 'notes unavailable; briefing without them')).toMatchObject({ alert_id: id });
  });

  it('runs once per alert: a retried job keeps the first briefing; a missing alert is skipped', async () => {
    const id = await newAlert('northwind');
    await writeBriefing(deps(), id);
    expect(await writeBriefing(deps(), id)).toEqual({ alertId: id, skipped: 'already_written' });
    expect(ai.requests).toHaveLength(1);
    expect((await stored(id)).timeline.filter((t) => t.event === 'briefing.written')).toHaveLength(1);
    expect(await writeBriefing(deps(), 'al_missing')).toEqual({ alertId: 'al_missing', skipped: 'alert_missing' });
  });
});

describe('anything else stores the template, marked fallback with the reason', () => {
  const expectTemplate = async (id: string, k: keyof typeof GOLDEN, reason: string) => {
    const a = await stored(id);
    expect(a.briefing).toMatchObject({ text: templateOf(k), fallback: true, fallback_reason: reason, model: null });
    expect(a.briefing!.headline).toBe(headline(buildBriefingContext(a, [], NOW).facts));
    expect(lastTimeline(a)).toMatchObject({ event: 'briefing.written', fallback: true, fallback_reason: reason, model: null });
    return a;
  };

  it('mode error (HTTP 500): one retry at most, then the template', async () => {
    ai.setBehaviour({ mode: 'error' });
    const id = await newAlert('northwind');
    expect(await writeBriefing(deps(), id)).toMatchObject({ fallback: true, fallback_reason: 'error' });
    await expectTemplate(id, 'northwind', 'error');
    expect(ai.requests.length).toBeGreaterThanOrEqual(1);
    expect(ai.requests.length).toBeLessThanOrEqual(2);
    expect(lines.find((l) => l.msg === 'AI briefing failed; using the template')).toMatchObject({ alert_id: id, status: 500 });
  });

  it('mode timeout with AI_TIMEOUT_MS 400: gives up on time (retries included) and stores the template', async () => {
    ai.setBehaviour({ mode: 'timeout' });
    const id = await newAlert('contosoEur');
    const t0 = performance.now();
    await writeBriefing(deps({ timeoutMs: 400 }), id);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(900);
    const a = await expectTemplate(id, 'contosoEur', 'timeout');
    expect(a.briefing!.latency_ms).toBeLessThanOrEqual(450);
  });

  it('mode garbage (markdown, emoji, links, control tokens): rejected even though it names the account', async () => {
    ai.setBehaviour({ mode: 'garbage' });
    const id = await newAlert('tailspinGbp');
    await writeBriefing(deps(), id);
    await expectTemplate(id, 'tailspinGbp', 'garbage');
  });

  it('mode overlong (5,000 characters): rejected', async () => {
    ai.setBehaviour({ mode: 'overlong' });
    const id = await newAlert('fabrikamThreshold');
    await writeBriefing(deps(), id);
    await expectTemplate(id, 'fabrikamThreshold', 'overlong');
  });

  it('a wrong API key (401) is an error, not a hang', async () => {
    const id = await newAlert('manual');
    await writeBriefing(deps({ ai: createAiClient({ baseURL: ai.url, apiKey: 'wrong', model: MODEL }) }), id);
    await expectTemplate(id, 'manual', 'error');
  });

  it('no AI configured: the template at once, nothing asked', async () => {
    const id = await newAlert('northwind');
    await writeBriefing(deps({ ai: null }), id);
    const a = await expectTemplate(id, 'northwind', 'not_configured');
    expect(a.briefing!.latency_ms).toBeNull();
    expect(ai.requests).toHaveLength(0);
  });
});

describe('judging an answer', () => {
  const ctx = buildBriefingContext(GOLDEN.northwind, [], NOW);
  it('accepts light emphasis after cleaning; rejects empty, off-topic, cut-off and emoji-laden answers', () => {
    expect(judgeBriefing('**Northwind Traders** moved to Negotiation Review. Call Dana today.', 'stop', ctx)).toEqual({
      ok: true,
      text: 'Northwind Traders moved to Negotiation Review. Call Dana today.',
    });
    expect(judgeBriefing('The Platform Expansion FY26 deal is moving; worth $185,000.', 'stop', ctx)).toEqual({
      ok: true,
      text: 'The Platform Expansion FY26 deal is moving; worth one hundred eighty-five thousand dollars.',
    });
    expect(judgeBriefing('  \n ', 'stop', ctx)).toMatchObject({ ok: false, reason: 'empty' });
    expect(judgeBriefing(null, 'stop', ctx)).toMatchObject({ ok: false, reason: 'empty' });
    expect(judgeBriefing('😀 😀 😀', 'stop', ctx)).toMatchObject({ ok: false, reason: 'garbage' });
    expect(judgeBriefing('*** ___ ~~~', 'stop', ctx)).toMatchObject({ ok: false, reason: 'empty' });
    expect(judgeBriefing('A deal moved to a new stage. Follow up with the owner.', 'stop', ctx)).toMatchObject({
      ok: false,
      reason: 'off_topic',
    });
    expect(judgeBriefing('Northwind Traders moved and the', 'length', ctx)).toMatchObject({ ok: false, reason: 'overlong' });
    expect(judgeBriefing(`Northwind Traders ${'is great '.repeat(70)}`, 'stop', ctx)).toMatchObject({ ok: false, reason: 'overlong' });
  });
});
