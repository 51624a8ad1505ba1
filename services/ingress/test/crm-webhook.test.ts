import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMergeBody } from '@dda/merge';
import { readInbox } from '@dda/queues';
import { MERGE_KEY, startIngress, type Harness } from './ingress-harness.ts';

const fixture = readFileSync(new URL('../../../fixtures/merge/webhook.opportunity.changed.json', import.meta.url));
const syncFixture = readFileSync(new URL('../../../fixtures/merge/webhook.linkedaccount.sync_completed.json', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await startIngress();
});
afterAll(async () => h.close());

const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: '/webhooks/crm', payload: body, headers: { 'content-type': 'application/json', ...headers } });
const signed = (body: Buffer | string, extra: Record<string, string> = {}) =>
  post(body, { 'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY), ...extra });

describe('POST /webhooks/crm', () => {
  it('queues a signed Opportunity.changed (202) and answers a redelivery 200 without a second job', async () => {
    const first = await signed(fixture);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ status: 'queued' });
    for (let i = 0; i < 4; i++) {
      const again = await signed(fixture);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ status: 'duplicate', job_id: first.json().job_id });
    }
    // Accepted into the inbox, from which the briefing-worker's relay feeds crm-events (packages/queues crm-inbox.test.ts).
    const inbox = await readInbox(h.redis, h.config.REDIS_PREFIX);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      jobId: first.json().job_id,
      data: { source: 'webhook', opportunityId: '7c2e9a14-3b5f-4d61-8e07-a9c4b1d2e3f5', event: 'changed' },
    });
    // The record's triage fields travel with the change (triage decides from them without asking Merge); the
    // free text and remote data do not, so the inbox writes a few hundred bytes to the AOF, not the whole record.
    const sent = (JSON.parse(fixture.toString('utf8')) as { data: Record<string, unknown> }).data;
    const kept = (inbox[0]!.data as { record: Record<string, unknown> }).record;
    for (const k of ['id', 'name', 'amount', 'owner', 'account', 'stage', 'status', 'close_date', 'modified_at'])
      expect(kept[k], k).toEqual(sent[k]);
    for (const k of ['description', 'remote_data', 'field_mappings']) expect(kept, k).not.toHaveProperty(k);
    expect(JSON.stringify(kept).length).toBeLessThan(JSON.stringify(sent).length);
  });

  it('several webhooks for one change (other bytes, same deal and modified_at) are one job', async () => {
    const other = fixture.toString('utf8').replace('5e7b2c41-9d3a-4f8e-b6a2-0c1d9e8f7a63', '5e7b2c41-9d3a-4f8e-b6a2-0c1d9e8f7a64');
    const res = await signed(other);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('duplicate');
  });

  it('accepts the unpadded and the padded base64url forms', async () => {
    // A later change of the deal (new modified_at), so each is a new job.
    const body = fixture.toString('utf8').replace('2025-11-24T16:42:55.918204Z', '2025-11-24T16:50:00.000000Z');
    const sig = signMergeBody(body, MERGE_KEY);
    expect((await post(body, { 'x-merge-webhook-signature': sig })).statusCode).toBe(202);
    const body2 = fixture.toString('utf8').replace('2025-11-24T16:42:55.918204Z', '2025-11-24T16:51:00.000000Z');
    expect((await post(body2, { 'x-merge-webhook-signature': `${signMergeBody(body2, MERGE_KEY)}=` })).statusCode).toBe(202);
  });

  it('refuses missing, wrong-key, standard-base64 and tampered signatures with 401 and a reason', async () => {
    const missing = await post(fixture);
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ error: 'missing_signature' });
    const wrongKey = await post(fixture, { 'x-merge-webhook-signature': signMergeBody(fixture, 'some_other_signature_key') });
    expect(wrongKey.statusCode).toBe(401);
    const std = await post(fixture, { 'x-merge-webhook-signature': 'yF6yoK598PbnZ/Fz5FaamyM9X5Wz4zgdiv2mKWig0qM=' });
    expect(std.statusCode).toBe(401);
    const t = await post(Buffer.concat([fixture, Buffer.from(' ')]), { 'x-merge-webhook-signature': signMergeBody(fixture, MERGE_KEY) });
    expect(t.statusCode).toBe(401);
    expect(t.json()).toMatchObject({ error: 'bad_signature' });
  });

  it('accepts and ignores events it does not act on', async () => {
    const body = JSON.stringify({
      hook: { id: 'h', event: 'CRMAccount.changed', target: 'x' },
      linked_account: { id: 'la' },
      data: { id: 'a1' },
    });
    const res = await signed(body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'ignored', event: 'CRMAccount.changed' });
  });

  it('turns a finished opportunity sync into an immediate backstop poll', async () => {
    const res = await signed(syncFixture);
    expect(res.statusCode).toBe(202);
    expect(await h.queues.byName.polls.getJob(res.json().job_id)).toBeTruthy();
  });

  it('a partially finished sync starts a poll too (Merge: read data on PARTIALLY_SYNCED as on DONE); a failed one does not', async () => {
    const partial = await signed(syncFixture.toString('utf8').replaceAll('"DONE"', '"PARTIALLY_SYNCED"'));
    expect(partial.statusCode).toBe(202);
    expect(await h.queues.byName.polls.getJob(partial.json().job_id)).toBeTruthy();
    const failed = await signed(syncFixture.toString('utf8').replaceAll('"DONE"', '"FAILED"'));
    expect(failed.json()).toMatchObject({ status: 'ignored' });
  });

  it('answers 400 to a signed body that is not JSON or not an envelope', async () => {
    const notJson = await signed('{"hook":');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toBe('bad_body');
    const notEnvelope = await signed(JSON.stringify({ hello: 'world' }));
    expect(notEnvelope.statusCode).toBe(400);
    expect(notEnvelope.json().error).toBe('not_an_envelope');
    const noDataId = await signed(
      JSON.stringify({ hook: { id: 'h', event: 'Opportunity.changed' }, linked_account: { id: 'la' }, data: {} }),
    );
    expect(noDataId.statusCode).toBe(400);
  });

  it('accepts application/json with parameters in any case and still verifies the raw bytes', async () => {
    for (const [i, ct] of [
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
      'application/json ; charset="utf-8"',
      'application/vnd.merge+json; charset=utf-8',
    ].entries()) {
      const body = fixture.toString('utf8').replace('2025-11-24T16:42:55.918204Z', `2025-11-24T17:0${i}:00.000000Z`);
      const res = await post(body, { 'content-type': ct, 'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY) });
      expect(res.statusCode, ct).toBe(202);
      const tampered = await post(body.replace('Platform Expansion', 'Platform Expansiom'), {
        'content-type': ct,
        'x-merge-webhook-signature': signMergeBody(body, MERGE_KEY),
      });
      expect(tampered.statusCode, ct).toBe(401);
    }
    for (const ct of ['application/jsonx', 'text/json; charset=utf-8', 'application/x-www-form-urlencoded']) {
      const res = await post(fixture, { 'content-type': ct, 'x-merge-webhook-signature': signMergeBody(fixture, MERGE_KEY) });
      expect(res.statusCode, ct).toBe(415);
    }
  });

  it('answers 413 over 1 MiB and 415 for other content types, each with a JSON reason', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const big = await post(huge, { 'x-merge-webhook-signature': 'x' });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('body_too_large');
    const text = await h.app.inject({ method: 'POST', url: '/webhooks/crm', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toHaveProperty('reason');
  });

  it('writes one log line per request with the reason, and never the signature', async () => {
    h.logs.length = 0;
    await post(fixture, { 'x-merge-webhook-signature': 'AAAAwrongwrongwrong' });
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l['url'] === '/webhooks/crm');
    expect(line).toMatchObject({ status: 401, error: 'bad_signature' });
    expect(h.logs.join('\n')).not.toContain('AAAAwrongwrongwrong');
  });
});
