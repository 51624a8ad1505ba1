import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TimelineEntry } from '@dda/store';
import { textRecipients } from '../src/index.ts';

const ended = (recipient: string, result: string): TimelineEntry => ({
  at: '2026-12-02T00:00:00Z',
  event: 'call.ended',
  call_id: 'c',
  callee: 'vp',
  attempt: 0,
  recipient,
  name: recipient.toUpperCase(),
  result,
});
const RESULTS = ['connected', 'acknowledged', 'snoozed', 'ae_unavailable', 'voicemail', 'no_answer', 'failed'];
const REACHED = new Set(['connected', 'acknowledged', 'snoozed', 'ae_unavailable']);

describe('who gets a text', () => {
  it('missed: everyone rung whose every ring went unanswered, escalated past included; nobody who picked up', () => {
    const timeline = [ended('vp', 'no_answer'), ended('vp', 'voicemail'), ended('cro', 'connected')];
    expect(textRecipients(timeline, 'missed')).toEqual([{ id: 'vp', name: 'VP' }]);
    expect(textRecipients(timeline, 'always').map((r) => r.id)).toEqual(['vp', 'cro']);
    expect(textRecipients(timeline, 'off')).toEqual([]);
  });

  it('for any rings: a recipient is texted under missed exactly when none of their rings reached them, and once', () => {
    const rule = fc.property(
      fc.array(fc.tuple(fc.constantFrom('vp', 'cro', 'backup'), fc.constantFrom(...RESULTS)), { maxLength: 12 }),
      (rings) => {
        const got = textRecipients(
          rings.map(([r, res]) => ended(r, res)),
          'missed',
        ).map((r) => r.id);
        const rung = new Set(rings.map(([r]) => r));
        for (const r of rung) {
          const reached = rings.some(([who, res]) => who === r && REACHED.has(res));
          if (got.includes(r) === reached) return false;
        }
        return new Set(got).size === got.length && got.every((r) => rung.has(r as (typeof rings)[number][0]));
      },
    );
    expect(() => fc.assert(rule, { numRuns: 1000 })).not.toThrow();
  });
});
