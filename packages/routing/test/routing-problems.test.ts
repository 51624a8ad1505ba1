import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoutingFile, routingFromEnv, validateRouting } from '../src/index.ts';
import { goodDocument } from './routing-fixture.ts';

describe('validating a routing document', () => {
  it("accepts README: who gets the call's example and fills in the defaults", () => {
    const v = validateRouting(goodDocument);
    expect(v.ok).toBe(true);
    if (v.ok)
      expect(v.routing.recipients[1]).toEqual({ id: 'cro', name: 'Alex Kim', phone: '+15550100400', timezone: 'UTC', quiet_hours: '' });
  });

  it('names every problem with its path: unknown recipient, non-E.164 phone, unknown time zone, empty call', () => {
    const bad = structuredClone(goodDocument) as any;
    bad.recipients[0].phone = '555-0100';
    bad.recipients[1].timezone = 'Mars/Olympus_Mons';
    bad.routes[0].call = ['cro', 'ceo'];
    bad.routes[1].call = [];
    const v = validateRouting(bad);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems).toEqual(
      expect.arrayContaining([
        { path: 'recipients.0.phone', message: expect.stringMatching(/E\.164/) },
        { path: 'recipients.1.timezone', message: expect.stringMatching(/IANA time zone/) },
        { path: 'routes.0.call.1', message: 'unknown recipient "ceo"' },
        { path: 'routes.1.call', message: expect.stringMatching(/at least one recipient/) },
      ]),
    );
    expect(v.problems).toHaveLength(4);
  });

  it('finds duplicate ids, duplicate routes, a reversed amount range, stray keys and bad quiet hours', () => {
    const bad = structuredClone(goodDocument) as any;
    bad.recipients.push({ id: 'vp', name: 'Other', phone: '+15550100999', quiet_hours: '9pm-7am' });
    bad.routes[1].name = 'big deals';
    bad.routes[0].match = { min_amount: 10, max_amount: 5, region: 'emea' };
    const v = validateRouting(bad);
    if (v.ok) throw new Error('accepted');
    const paths = v.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['recipients.2.id', 'recipients.2.quiet_hours', 'routes.1.name', 'routes.0.match']));
    expect(v.problems.find((p) => p.path === 'routes.0.match')?.message).toBe('unknown key "region"');
  });

  it('answers a non-object or empty document with problems, not an exception', () => {
    for (const input of [null, 'routing', [], {}, { recipients: 'x', routes: 1 }]) {
      const v = validateRouting(input);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('ROUTING_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routing-file-'));
  it('reads YAML and JSON through the same schema', () => {
    const yamlFile = join(dir, 'routing.yaml');
    writeFileSync(
      yamlFile,
      'recipients:\n  - id: vp\n    name: Jordan Lee\n    phone: "+15550100100"\nroutes:\n  - name: all\n    call: [vp]\n',
    );
    expect(loadRoutingFile(yamlFile).routing.routes[0]).toEqual({ name: 'all', match: {}, call: ['vp'] });
    const jsonFile = join(dir, 'routing.json');
    writeFileSync(jsonFile, JSON.stringify(goodDocument));
    expect(loadRoutingFile(jsonFile).routing.recipients).toHaveLength(2);
  });
  it('refuses a file with problems, naming each', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'recipients: []\nroutes:\n  - name: all\n    call: [nobody]\n');
    expect(() => loadRoutingFile(f)).toThrow(
      /recipients: must list at least one recipient[\s\S]*routes\.0\.call\.0: unknown recipient "nobody"/,
    );
  });
});

describe('the routing the environment defines', () => {
  const env = {
    VP_SALES_NUMBER: '+15550100001',
    VP_NAME: 'the VP of Sales',
    ESCALATION_NUMBERS: ['+15550100009'],
    VP_TIMEZONE: 'America/New_York',
    QUIET_HOURS: '21:00-07:00',
  };
  it("is the VP with the default retries, then each escalation number once, under the VP's quiet hours", () => {
    const doc = routingFromEnv(env, []);
    expect(validateRouting(doc).ok).toBe(true);
    expect(doc.routes).toEqual([{ name: 'everything', match: {}, call: ['vp', 'escalation-1'] }]);
    expect(doc.recipients.map((r) => [r.id, r.retries, r.timezone, r.quiet_hours])).toEqual([
      ['vp', undefined, 'America/New_York', '21:00-07:00'],
      ['escalation-1', 0, 'America/New_York', '21:00-07:00'],
    ]);
  });
  it('has no route without VP_SALES_NUMBER, as before: nobody is called', () => {
    expect(routingFromEnv({ ...env, VP_SALES_NUMBER: undefined }, []).routes).toEqual([]);
  });
});
