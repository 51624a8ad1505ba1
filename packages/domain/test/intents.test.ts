import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aeAnswerFrom, intentFromDigits, intentFromSpeech, KEY_INTENTS, looksLikeQuestion } from '../src/intents.ts';

describe('what the VP meant', () => {
  it('understands the spoken menu choices', () => {
    expect(intentFromSpeech('Connect me')).toBe('connect');
    expect(intentFromSpeech('yeah, transfer me please')).toBe('connect');
    expect(intentFromSpeech('can you repeat that')).toBe('repeat');
    expect(intentFromSpeech('remind me later')).toBe('snooze');
    expect(intentFromSpeech('got it, thanks')).toBe('dismiss');
    expect(intentFromSpeech('next one')).toBe('next');
    expect(intentFromSpeech("what's the close date?")).toBeNull();
  });

  it('key 1 means connect (contract), and every menu key maps to one intent', () => {
    expect(intentFromDigits('1')).toBe('connect');
    expect(KEY_INTENTS).toEqual({ '1': 'connect', '2': 'repeat', '3': 'snooze', '4': 'next', '9': 'dismiss' });
    fc.assert(fc.property(fc.constantFrom('0', '5', '6', '7', '8', '*', '#'), (d) => intentFromDigits(d) === null));
  });

  it('never throws and is case- and punctuation-insensitive', () => {
    fc.assert(fc.property(fc.string(), (t) => intentFromSpeech(t) === intentFromSpeech(t.toUpperCase())));
    fc.assert(
      fc.property(
        fc.constantFrom('connect me', 'repeat', 'remind me later', 'got it'),
        fc.constantFrom('', '!', '.', '?', ' please'),
        (p, tail) => intentFromSpeech(`${p.toUpperCase()}${tail}`) === intentFromSpeech(p),
      ),
    );
  });

  it('tells questions from choices', () => {
    expect(looksLikeQuestion("what's the close date")).toBe(true);
    expect(looksLikeQuestion('who is the champion?')).toBe(true);
    expect(looksLikeQuestion('connect me')).toBe(false);
    expect(looksLikeQuestion('hmm')).toBe(false);
  });

  it("reads the AE's answer to the whisper", () => {
    expect(aeAnswerFrom({ digits: '1' })).toBe('accept');
    expect(aeAnswerFrom({ digits: '2' })).toBe('decline');
    expect(aeAnswerFrom({ transcript: 'yes put them through' })).toBe('accept');
    expect(aeAnswerFrom({ transcript: "no, I can't right now" })).toBe('decline');
    expect(aeAnswerFrom({ transcript: 'hello?' })).toBeNull();
  });
});
