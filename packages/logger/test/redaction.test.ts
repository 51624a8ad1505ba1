import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, maskPhones } from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const log = createLogger({
    service: 't',
    destination: new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    }),
  });
  return { log, lines };
}

describe('log redaction', () => {
  it('hides tokens, signature headers and phone numbers wherever they appear', () => {
    const { log, lines } = capture();
    log.info(
      {
        req: { headers: { authorization: 'Bearer sekrit-token', 'x-merge-webhook-signature': 'sigsigsig' } },
        call: { to: '+14155550123' },
        apiKey: 'KEY999',
      },
      'dialing +14155550123',
    );
    const out = lines.join('');
    for (const secret of ['sekrit-token', 'sigsigsig', 'KEY999', '4155550123']) expect(out).not.toContain(secret);
    expect(out).toContain('+…23');
  });

  it('hides credential fields at any depth and in child bindings, and keeps everything else', () => {
    const { log, lines } = capture();
    const child = log.child({ alert_id: 'al_1', token: 'child-token-123' });
    child.warn(
      {
        cfg: { telnyx: { apiKey: 'KEYabc', webhook: { Signature: 'sig-xyz' } } },
        list: [{ password: 'hunter2' }],
        secret: null,
        deal_id: 'd1',
      },
      'x',
    );
    const out = lines.join('');
    for (const secret of ['child-token-123', 'KEYabc', 'sig-xyz', 'hunter2']) expect(out).not.toContain(secret);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      alert_id: 'al_1',
      deal_id: 'd1',
      token: '[redacted]',
      secret: null,
      cfg: { telnyx: { apiKey: '[redacted]' } },
    });
  });

  it('never lets a full E.164 number through maskPhones', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\+[1-9]\d{7,14}$/),
        fc.string(),
        (num, around) => !maskPhones(`${around}${num} ${around}`).includes(num),
      ),
    );
  });

  it('leaves timestamps and ids readable', () => {
    expect(maskPhones('2026-11-25T08:00:00.000Z al_0mhx2k3l4abcdef')).toBe('2026-11-25T08:00:00.000Z al_0mhx2k3l4abcdef');
  });
});
