import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFacts, replyTo } from '../src/ai-sim/index.ts';

const PLACEHOLDER = /^(none|n\/a|unknown|-)$/i;
const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;
const user = (content: string) => [{ role: 'user', content }];

describe('deterministic replies', () => {
  it('reads labelled lines, bullets under a heading, and drops e-mail addresses', () => {
    const facts = extractFacts('**Deal:** Big One\n- Account: Acme\nOwner: Ana Li <ana@acme.example>\nNotes:\n\n- newest note.\n- older');
    expect(facts).toEqual({ deal: 'Big One', account: 'Acme', owner: 'Ana Li', note: 'newest note' });
  });

  it('splits a stage line that states the move', () => {
    expect(extractFacts('Stage: Proposal/Price Quote -> Negotiation/Review')).toEqual({
      previousStage: 'Proposal/Price Quote',
      stage: 'Negotiation/Review',
    });
  });

  it('keeps a briefing within 40–70 words for any values, without markdown or line breaks', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9$,./'-]{1,14}$/);
    // "-", "n/a", "none" and "unknown" (trailing punctuation aside) are how a prompt says "no value" (next
    // test), and a value with no letter or digit ("," or "-.") is none either: neither is a deal name.
    const value = fc
      .array(word, { minLength: 1, maxLength: 30 })
      .map((w) => w.join(' '))
      .filter((v) => /[A-Za-z0-9]/.test(v) && !PLACEHOLDER.test(v.replace(/[.;,]+$/, '')));
    const field = (label: string) =>
      fc.option(
        value.map((v) => `${label}: ${v}`),
        { nil: undefined },
      );
    fc.assert(
      fc.property(
        value,
        fc.tuple(
          field('Account'),
          field('Amount'),
          field('Stage'),
          field('Previous stage'),
          field('Owner'),
          field('Close date'),
          field('Notes'),
          field('Change'),
        ),
        (deal, rest) => {
          const prompt = ['Brief the VP.', `Deal: ${deal}`, ...rest.filter((l): l is string => l !== undefined)].join('\n');
          const reply = replyTo(user(prompt));
          expect(wordCount(reply)).toBeGreaterThanOrEqual(40);
          expect(wordCount(reply)).toBeLessThanOrEqual(70);
          expect(reply).not.toMatch(/[*#`\n]/);
          expect(replyTo(user(prompt))).toBe(reply);
        },
      ),
    );
  });

  it('takes a placeholder ("-", "n/a", "none", "unknown") or bare punctuation as no value: no deal, no briefing', () => {
    for (const p of ['-', 'n/a', 'None', 'unknown', ',', '-.'])
      expect(replyTo(user(`Brief the VP.\nDeal: ${p}`))).toBe('I have no deal details to brief on yet.');
    expect(wordCount(replyTo(user('Brief the VP.\nDeal: -\nAccount: Acme')))).toBeGreaterThanOrEqual(40);
  });

  it('answers questions from facts given earlier in the conversation', () => {
    const history = [
      { role: 'system', content: 'Deal: Cold Chain\nAccount: Fabrikam\nAmount: 240,000 dollars\nStage: Negotiation/Review' },
      { role: 'user', content: 'How much is it worth?' },
    ];
    expect(replyTo(history)).toBe('Cold Chain is worth 240,000 dollars.');
    expect(replyTo([...history.slice(0, 1), { role: 'user', content: 'When does it close?' }])).toBe(
      'Cold Chain has no close date in the CRM yet.',
    );
  });

  it('says so when there is nothing to brief on', () => {
    expect(replyTo(user('Hello there'))).toBe('I have no deal details to brief on yet.');
    expect(replyTo(user('Who owns it?'))).toBe("I don't have any deal details to answer that from.");
  });
});
