/**
 * HMAC-SHA256 over a canonical string: what a request or an answer says, bound to a time and a nonce. The signature
 * covers the SHA-256 of the exact body bytes, so a re-serialised or tampered body fails. Comparison is constant-time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CHECK_PATH, PROTOCOL_VERSION } from './protocol.js';

/** A shorter shared secret can be guessed offline from one captured signature; 32 characters is ~190 bits of base64. */
export const MIN_SECRET_LENGTH = 32;
const SIGNATURE_PREFIX = `v${PROTOCOL_VERSION}=`;
const NONCE = /^[0-9a-f]{32,64}$/;
const TIMESTAMP = /^\d{1,15}$/;

export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function isValidNonce(nonce: string): boolean {
  return NONCE.test(nonce);
}

export function isValidTimestamp(text: string): boolean {
  return TIMESTAMP.test(text);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

function requestString(timestamp: string, nonce: string, body: Buffer | string): string {
  return [
    'plex-diagnose-reflector request',
    SIGNATURE_PREFIX,
    'POST',
    CHECK_PATH,
    timestamp,
    nonce,
    sha256Hex(body),
  ].join('\n');
}

function responseString(nonce: string, body: Buffer | string): string {
  return ['plex-diagnose-reflector response', SIGNATURE_PREFIX, nonce, sha256Hex(body)].join('\n');
}

function mac(secret: string, text: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(text).digest('hex');
}

export function signRequest(secret: string, timestamp: string, nonce: string, body: Buffer | string): string {
  return mac(secret, requestString(timestamp, nonce, body));
}

export function signResponse(secret: string, nonce: string, body: Buffer | string): string {
  return mac(secret, responseString(nonce, body));
}

export function verifyRequest(
  secret: string,
  signature: string,
  timestamp: string,
  nonce: string,
  body: Buffer,
): boolean {
  return constantTimeEqual(signature, signRequest(secret, timestamp, nonce, body));
}

export function verifyResponse(secret: string, signature: string, nonce: string, body: Buffer): boolean {
  return constantTimeEqual(signature, signResponse(secret, nonce, body));
}

/** Equal-length buffers through timingSafeEqual; a length mismatch is compared against itself so it costs the same. */
function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Why a secret is unusable, or undefined when it is fine. Never echoes the secret. */
export function secretProblem(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH)
    return `the shared secret is too short (${secret.length} characters; at least ${MIN_SECRET_LENGTH}, e.g. \`openssl rand -base64 32\`)`;
  if (/[\r\n]/.test(secret)) return 'the shared secret spans several lines (one line expected)';
  return undefined;
}
