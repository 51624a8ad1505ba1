import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signMergeBody, verifyMergeSignature } from '../src/merge-signature.ts';

const fixtures = new URL('../../../fixtures/merge/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('webhook.signatures.json', fixtures), 'utf8')) as {
  secret: string;
  vectors: { file: string; bytes: number; base64url_padded: string; base64url_unpadded: string; standard_base64_WRONG: string }[];
};

describe('Merge webhook signature', () => {
  for (const v of vectors.vectors) {
    const body = readFileSync(new URL(v.file, fixtures));
    it(`verifies the fixture vector for ${v.file}, padded and unpadded`, () => {
      expect(body.length).toBe(v.bytes);
      expect(verifyMergeSignature(body, v.base64url_padded, [vectors.secret])).toBe(true);
      expect(verifyMergeSignature(body, v.base64url_unpadded, [vectors.secret])).toBe(true);
    });
    it(`refuses standard base64, a tampered body, a wrong key and a missing header for ${v.file}`, () => {
      expect(verifyMergeSignature(body, v.standard_base64_WRONG, [vectors.secret])).toBe(false);
      const tampered = Buffer.from(body);
      const mid = Math.floor(tampered.length / 2);
      tampered[mid] = tampered[mid]! ^ 0x01;
      expect(verifyMergeSignature(tampered, v.base64url_padded, [vectors.secret])).toBe(false);
      expect(verifyMergeSignature(body, v.base64url_padded, ['another_merge_signature_key'])).toBe(false);
      expect(verifyMergeSignature(body, undefined, [vectors.secret])).toBe(false);
      expect(verifyMergeSignature(body, '', [vectors.secret])).toBe(false);
    });
  }

  it('accepts any one of several keys (rotation)', () => {
    const body = Buffer.from('{"a":1}');
    expect(verifyMergeSignature(body, signMergeBody(body, 'new-key-123456'), ['old-key-123456', 'new-key-123456'])).toBe(true);
  });

  it('never accepts a signature made with another key or for other bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), fc.string({ minLength: 8 }), (a, b, key) => {
        fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);
        return !verifyMergeSignature(Buffer.from(b), signMergeBody(Buffer.from(a), key), [key]);
      }),
    );
  });

  it('never throws on arbitrary header strings', () => {
    fc.assert(fc.property(fc.string(), (h) => typeof verifyMergeSignature(Buffer.from('x'), h, ['k-12345678']) === 'boolean'));
  });
});
