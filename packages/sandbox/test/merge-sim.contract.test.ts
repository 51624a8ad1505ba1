import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyMergeWebhook, mergeWebhookSchema, verifyMergeSignature } from '@dda/merge';
import { createMergeSimulator, type MergeSimulator } from '../src/merge-sim/index.ts';
import { FIXTURE_IDS } from '../src/seed/index.ts';

// The shared fixtures live beside the repository; MERGE_FIXTURES_DIR points elsewhere when they do not.
const FIXTURES = process.env['MERGE_FIXTURES_DIR'] ?? fileURLToPath(new URL('../../../fixtures/merge/', import.meta.url));
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

/**
 * Paths where `actual` and `expected` differ in key sets, recursively. Leaves only need to both be leaves;
 * every element of an array is held to the fixture's first element, and an empty array fits any.
 */
function keyDiff(actual: unknown, expected: unknown, path = '$'): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    return expected.length === 0 ? [] : actual.flatMap((a, i) => keyDiff(a, expected[0], `${path}[${i}]`));
  }
  if (isObj(expected)) {
    if (!isObj(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const missing = Object.keys(expected)
      .filter((k) => !(k in actual))
      .map((k) => `${path}.${k}: missing`);
    const extra = Object.keys(actual)
      .filter((k) => !(k in expected))
      .map((k) => `${path}.${k}: not in fixture`);
    const nested = Object.keys(expected)
      .filter((k) => k in actual)
      .flatMap((k) => keyDiff(actual[k], expected[k], `${path}.${k}`));
    return [...missing, ...extra, ...nested];
  }
  return actual !== null && typeof actual === 'object' ? [`${path}: expected a plain value`] : [];
}

const API_KEY = 'merge-test-key';
const ACCOUNT_TOKEN = 'account-token-northwind';
const auth = { authorization: `Bearer ${API_KEY}`, 'x-account-token': ACCOUNT_TOKEN };

describe('merge simulator wire shapes match the Merge fixtures', () => {
  let sim: MergeSimulator;
  beforeEach(async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: ACCOUNT_TOKEN });
  });
  afterEach(() => sim.close());

  const get = async (path: string) => {
    const res = await fetch(`${sim.url}${path}`, { headers: auth });
    expect(res.status, path).toBe(200);
    return res.json();
  };

  it('serves every opportunity, expanded, with the fixture key set', async () => {
    const expected = fixture('opportunity.expanded.json');
    const page = (await get('/crm/v1/opportunities?expand=owner,account,stage&include_deleted_data=true')) as { results: unknown[] };
    expect(page.results.length).toBeGreaterThanOrEqual(6);
    for (const opp of page.results) expect(keyDiff(opp, expected)).toEqual([]);
    expect(keyDiff(await get(`/crm/v1/opportunities/${FIXTURE_IDS.deal}?expand=owner,account,stage`), expected)).toEqual([]);
  });

  it('serves users, accounts and stages with the fixture key sets', async () => {
    for (const [list, file] of [
      ['users', 'user.json'],
      ['accounts', 'account.json'],
      ['stages', 'stage.json'],
    ] as const) {
      const page = (await get(`/crm/v1/${list}`)) as { results: Array<{ id: string }> };
      expect(page.results.length, list).toBeGreaterThan(0);
      for (const row of page.results)
        expect(keyDiff(await get(`/crm/v1/${list}/${row.id}`), fixture(file)), `${list}/${row.id}`).toEqual([]);
    }
  });

  it('serves notes pages with the fixture key set for every deal', async () => {
    const expected = fixture('notes.list.json');
    for (const deal of sim.listDeals()) {
      expect(keyDiff(await get(`/crm/v1/notes?opportunity_id=${deal.id}&page_size=5`), expected), deal.name ?? deal.id).toEqual([]);
    }
  });

  it('returns the fixture deal with the fixture values once moved to Negotiation/Review', async () => {
    sim.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
    const expected = fixture('opportunity.expanded.json') as Record<string, unknown>;
    const actual = (await get(`/crm/v1/opportunities/${FIXTURE_IDS.deal}?expand=owner,account,stage`)) as Record<string, unknown>;
    for (const key of ['id', 'remote_id', 'name', 'description', 'amount', 'status']) expect(actual[key], key).toEqual(expected[key]);
    const idAndName = (v: unknown) => ({ id: (v as { id: string }).id, name: (v as { name: string }).name });
    for (const rel of ['owner', 'account', 'stage']) expect(idAndName(actual[rel]), rel).toEqual(idAndName(expected[rel]));
  });

  it('expands only the relations asked for, and never nested ones', async () => {
    const opp = (await get(`/crm/v1/opportunities/${FIXTURE_IDS.deal}?expand=account`)) as Record<string, unknown>;
    expect(typeof opp['owner']).toBe('string');
    expect(typeof opp['stage']).toBe('string');
    expect((opp['account'] as Record<string, unknown>)['owner']).toBe(FIXTURE_IDS.owner);
  });
});

describe('webhookFor', () => {
  let sim: MergeSimulator;
  beforeEach(async () => {
    sim = await createMergeSimulator({ apiKey: API_KEY, accountToken: ACCOUNT_TOKEN });
  });
  afterEach(() => sim.close());

  it.each(['Opportunity.changed', 'Opportunity.added', 'Opportunity.removed'] as const)(
    '%s has the fixture envelope and a signature that verifies',
    (event) => {
      const { body, signature } = sim.webhookFor(FIXTURE_IDS.deal, event, 'whsec-test');
      const parsed = JSON.parse(body);
      expect(keyDiff(parsed, fixture('webhook.opportunity.changed.json'))).toEqual([]);
      expect(parsed.hook.event).toBe(event);
      expect(verifyMergeSignature(Buffer.from(body), signature, ['whsec-test'])).toBe(true);
      expect(verifyMergeSignature(Buffer.from(body), signature, ['another-key'])).toBe(false);
      const intent = classifyMergeWebhook(mergeWebhookSchema.parse(parsed));
      expect(intent).toMatchObject({ kind: 'opportunity', opportunityId: FIXTURE_IDS.deal });
    },
  );

  it('carries the stored record unexpanded, and the fixture linked account', () => {
    sim.moveDeal(FIXTURE_IDS.deal, 'Negotiation/Review');
    const expected = fixture('webhook.opportunity.changed.json') as { linked_account: unknown; data: Record<string, unknown> };
    const parsed = JSON.parse(sim.webhookFor(FIXTURE_IDS.deal, 'Opportunity.changed', 'k').body);
    expect(parsed.linked_account).toEqual(expected.linked_account);
    for (const key of ['id', 'owner', 'account', 'stage', 'amount', 'status']) expect(parsed.data[key], key).toEqual(expected.data[key]);
    expect(parsed.data.modified_at).toBe(sim.getDeal(FIXTURE_IDS.deal)?.modified_at);
  });

  it('signs the bytes as sent, so re-serialising the parsed body breaks the signature', () => {
    const { body, signature } = sim.webhookFor(FIXTURE_IDS.deal, 'Opportunity.changed', 'k');
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).not.toBe(body);
    expect(verifyMergeSignature(Buffer.from(reserialised), signature, ['k'])).toBe(false);
  });

  it('marks a removed deal as deleted in the removal webhook', () => {
    sim.removeDeal(FIXTURE_IDS.deal);
    const parsed = JSON.parse(sim.webhookFor(FIXTURE_IDS.deal, 'Opportunity.removed', 'k').body);
    expect(parsed.data.remote_was_deleted).toBe(true);
  });

  it('refuses unknown deals', () => {
    expect(() => sim.webhookFor('00000000-0000-4000-8000-000000000000', 'Opportunity.changed', 'k')).toThrow(/No opportunity/);
  });
});
