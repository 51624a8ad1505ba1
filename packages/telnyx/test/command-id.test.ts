import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandId } from '../src/index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('commandId', () => {
  it('is the same for the same call and step, and UUID-shaped', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (call, step) => {
        expect(commandId(call, step)).toBe(commandId(call, step));
        expect(commandId(call, step)).toMatch(UUID);
      }),
    );
  });

  it('differs between steps and calls, including ambiguous concatenations', () => {
    expect(commandId('call_1', 'dial-vp')).not.toBe(commandId('call_1', 'dial-ae'));
    expect(commandId('call_1', 'x')).not.toBe(commandId('call_2', 'x'));
    expect(commandId('ab', 'c')).not.toBe(commandId('a', 'bc'));
  });
});
