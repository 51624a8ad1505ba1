import { createHmac, timingSafeEqual } from 'node:crypto';

export function signMergeBody(rawBody: Buffer | string, key: string): string {
  return createHmac('sha256', key).update(rawBody).digest('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Merge signs the raw bytes with HMAC-SHA256, base64url. Padding is accepted either way because
 * Merge's own examples differ; standard base64 ('+', '/') is refused because it is not what Merge sends.
 */
export function verifyMergeSignature(rawBody: Buffer, header: string | undefined, keys: readonly string[]): boolean {
  if (!header || !BASE64URL.test(header.trim())) return false;
  const given = Buffer.from(header.trim().replace(/=+$/, ''), 'utf8');
  let ok = false;
  for (const key of keys) {
    const expected = Buffer.from(signMergeBody(rawBody, key), 'utf8');
    // Every key is compared, so timing does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
