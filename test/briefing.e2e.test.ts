import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createAiSimulator, type AiSimulator, type ChatMessage } from '@dda/sandbox/ai-sim';
import { createMergeSimulator, type MergeSimulator } from '@dda/sandbox/merge-sim';
import { FIXTURE_IDS } from '@dda/sandbox/seed';
import { deleteKeys, freePort, startService, testRedisUrl, uniquePrefix, waitUntil, type ServiceProcess } from '@dda/testkit';

/*
 * The real ingress and briefing-worker processes against the Merge and AI simulators: a CRM change (or a
 * manual alert) becomes an alert whose briefing the worker writes, visible on GET /alerts/:id.
 */

const KEY = 'briefing_e2e_merge_signature_key';
const TOKEN = 'briefing-e2e-token-0123456789';
const AI_KEY = 'briefing-e2e-ai-key';
const MODEL = 'zai-org/GLM-5.1-FP8';
const AI_TIMEOUT_MS = 1500;

let merge: MergeSimulator;
let ai: AiSimulator;
let services: ServiceProcess[] = [];
let base: string;
let redis: Redis;
const prefix = uniquePrefix('brief-e2e');

beforeAll(async () => {
  merge = await createMergeSimulator({ apiKey: 'brief-e2e-merge', accountToken: 'brief-e2e-account' });
  ai = await createAiSimulator({ apiKey: AI_KEY });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    REDIS_URL: await testRedisUrl(),
    REDIS_PREFIX: prefix,
    PORT: String(port),
    API_TOKEN: TOKEN,
    MERGE_WEBHOOK_SIGNATURE_KEY: KEY,
    MERGE_BASE_URL: merge.url,
    MERGE_API_KEY: 'brief-e2e-merge',
    MERGE_ACCOUNT_TOKEN: 'brief-e2e-account',
    MERGE_POLL_SECONDS: '0',
    AI_BASE_URL: ai.url,
    AI_API_KEY: AI_KEY,
    AI_MODEL: MODEL,
    AI_TIMEOUT_MS: String(AI_TIMEOUT_MS),
  };
  redis = new Redis(env.REDIS_URL);
  services = [startService('ingress', env), startService('briefing-worker', env)];
  await Promise.all([services[0]!.waitFor(/ingress listening/), services[1]!.waitFor(/briefing-worker started/)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await ai?.close();
  await merge?.close();
  await deleteKeys(redis, prefix);
  redis?.disconnect();
});

beforeEach(() => {
  ai.setBehaviour({ mode: 'ok', latencyMs: 250 });
  ai.requests.length = 0;
  merge.requests.length = 0;
});

const auth = { authorization: `Bearer ${TOKEN}` };
const getAlert = async (id: string) => {
  const res = await fetch(`${base}/alerts/${id}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
};
const waitForBriefing = (id: string, timeoutMs = 10_000) =>
  waitUntil(async () => ((await getAlert(id)).briefing ? getAlert(id) : undefined), timeoutMs, `a briefing on ${id}`);
const userMessage = (i = 0) => (ai.requests[i]!.body as { messages: ChatMessage[] }).messages.find((m) => m.role === 'user')?.content ?? '';

describe('briefing-worker writes the briefing the call will speak', () => {
  it('an alert on a CRM deal: the AI briefing (with Merge notes in the prompt) shows on GET /alerts/:id with model and latency', async () => {
    merge.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
    const res = await fetch(`${base}/alert`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ deal_id: FIXTURE_IDS.deal }),
    });
    expect(res.status).toBe(202);
    const { alert_id: id } = (await res.json()) as { alert_id: string };
    const alert = await waitForBriefing(id);
    expect(alert.briefing).toMatchObject({ fallback: false, fallback_reason: null, model: MODEL });
    expect(alert.briefing.latency_ms).toBeGreaterThanOrEqual(250);
    expect(alert.briefing.latency_ms).toBeLessThan(AI_TIMEOUT_MS);
    expect(alert.briefing.text).toMatch(/Northwind Traders/);
    expect(alert.briefing.text).toMatch(/one hundred eighty-five thousand dollars/);
    expect(alert.briefing.text).toMatch(/Negotiation Review/);
    expect(alert.briefing.text).toMatch(/Dana Whitfield/);
    expect(alert.briefing.headline).toMatch(
      /^Deal alert\. Northwind Traders: Platform Expansion FY26, worth one hundred eighty-five thousand dollars/,
    );
    expect(alert.timeline.find((t: { event: string }) => t.event === 'briefing.written')).toMatchObject({
      model: MODEL,
      latency_ms: alert.briefing.latency_ms,
      fallback: false,
    });

    expect(ai.requests).toHaveLength(1);
    expect(ai.requests[0]!.body).toMatchObject({ model: MODEL, enable_thinking: false });
    expect(userMessage()).toMatch(
      /^Notes:\n- Moved to Negotiation\/Review after verbal from CFO\. Risk: competitor quoted fifteen percent lower\./m,
    );
    expect(merge.requests.some((r) => r.path === '/crm/v1/notes' && r.query['opportunity_id'] === FIXTURE_IDS.deal)).toBe(true);
    await services[1]!.waitFor(new RegExp(`"alert_id":"${id}".*"msg":"briefing written"|"msg":"briefing written".*"alert_id":"${id}"`));
  });

  it('a manual alert in euros: no notes asked of Merge, the amount spoken in euros', async () => {
    const res = await fetch(`${base}/alert`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        deal_name: 'Rhine Logistics Rollout',
        account: 'Rheinland Spedition',
        amount: 420000,
        currency: 'EUR',
        stage: 'Contract Sent',
        owner_email: 'marcus.osei@northwind.example',
      }),
    });
    expect(res.status).toBe(202);
    const { alert_id: id } = (await res.json()) as { alert_id: string };
    const alert = await waitForBriefing(id);
    expect(alert.briefing).toMatchObject({ fallback: false, model: MODEL });
    expect(alert.briefing.text).toMatch(/Rheinland Spedition/);
    expect(alert.briefing.text).toMatch(/four hundred twenty thousand euros/);
    expect(alert.briefing.text).toMatch(/Marcus Osei/);
    expect(merge.requests.filter((r) => r.path === '/crm/v1/notes')).toHaveLength(0);
    expect(userMessage()).toMatch(/^Notes: none$/m);
  });

  it('the model hangs: after AI_TIMEOUT_MS the template is stored, fallback true with the reason', async () => {
    ai.setBehaviour({ mode: 'timeout' });
    const t0 = Date.now();
    const res = await fetch(`${base}/alert`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        deal_name: 'Retail POS Pilot',
        account: 'Tailspin Toys',
        amount: 9500,
        currency: 'GBP',
        stage: 'Verbal Commit',
      }),
    });
    const { alert_id: id } = (await res.json()) as { alert_id: string };
    const alert = await waitForBriefing(id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(AI_TIMEOUT_MS - 100);
    expect(Date.now() - t0).toBeLessThan(AI_TIMEOUT_MS + 3000);
    expect(alert.briefing).toMatchObject({
      fallback: true,
      fallback_reason: 'timeout',
      model: null,
      text: 'Deal alert. Tailspin Toys: Retail POS Pilot, worth nine thousand five hundred pounds, is now in Verbal Commit. There is no close date on it yet. This alert fired because it was raised by hand.',
    });
    expect(alert.timeline.find((t: { event: string }) => t.event === 'briefing.written')).toMatchObject({
      fallback: true,
      fallback_reason: 'timeout',
    });
  });
});
