import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientState, encodeClientState, type ClientState } from '../src/index.ts';

const callIdChars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-'];
const clientState: fc.Arbitrary<ClientState> = fc.record({
  callId: fc.string({ unit: fc.constantFrom(...callIdChars), minLength: 1, maxLength: 80 }),
  leg: fc.constantFrom('vp' as const, 'ae' as const),
  step: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
});

describe('client_state', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(clientState, (s) => {
        expect(decodeClientState(encodeClientState(s))).toEqual(s);
      }),
    );
  });

  it('is single-line base64 and short', () => {
    fc.assert(
      fc.property(clientState, (s) => {
        const encoded = encodeClientState(s);
        expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
        expect(encoded.length).toBeLessThanOrEqual(140);
      }),
    );
  });

  it('never throws on arbitrary input, and returns null for anything it did not produce', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 300 }), fc.base64String({ maxLength: 300 })), (s) => {
        const decoded = decodeClientState(s);
        if (decoded !== null) expect(encodeClientState(decoded)).toBeTypeOf('string');
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => {
        expect(() => decodeClientState(Buffer.from(s, 'utf8').toString('base64'))).not.toThrow();
      }),
    );
  });

  it('returns null for empty, null, undefined and foreign states', () => {
    expect(decodeClientState(null)).toBeNull();
    expect(decodeClientState(undefined)).toBeNull();
    expect(decodeClientState('')).toBeNull();
    expect(decodeClientState('aGF2ZSBhIG5pY2UgZGF5ID1d')).toBeNull(); // the fixtures' "have a nice day =]"
    expect(decodeClientState(Buffer.from('call_1.cfo.3').toString('base64'))).toBeNull();
  });

  it('refuses to encode what could carry PII or break decoding', () => {
    expect(() => encodeClientState({ callId: '+14155550100', leg: 'vp', step: 0 })).toThrow();
    expect(() => encodeClientState({ callId: 'a.b', leg: 'vp', step: 0 })).toThrow();
    expect(() => encodeClientState({ callId: 'ok', leg: 'vp', step: -1 })).toThrow();
    expect(() => encodeClientState({ callId: 'ok', leg: 'vp', step: 1.5 })).toThrow();
  });
});
