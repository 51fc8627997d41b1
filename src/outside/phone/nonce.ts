/**
 * The one-time nonce in the phone check's URL: 128 random bits, base64url (22 characters), so the URL is short enough
 * for a small QR code and cannot be guessed by the scanners that will find the port. Compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_BYTES = 16;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function makeNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

export function isNonce(text: string): boolean {
  return NONCE_PATTERN.test(text);
}

/**
 * Whether a request target is exactly `/<nonce>` (a query string is ignored: some apps append tracking parameters).
 * The length of the candidate is not secret; its bytes are compared with timingSafeEqual.
 */
export function targetHasNonce(target: string | undefined, nonce: string): boolean {
  if (target === undefined) return false;
  const path = target.split('?', 1)[0]!;
  const candidate = Buffer.from(path.startsWith('/') ? path.slice(1) : '', 'utf8');
  const expected = Buffer.from(nonce, 'utf8');
  if (candidate.length !== expected.length) return false;
  return timingSafeEqual(candidate, expected);
}
