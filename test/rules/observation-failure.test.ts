import { describe, expect, it } from 'vitest';
import type { ObservationError } from '../../src/core/observation.js';
import { classifyFailure, failureOf, isHtmlBody, type FailureKind } from '../../src/rules/observation-failure.js';
import { failed, ok, skipped } from '../../src/testing/observations.js';

describe('classifyFailure', () => {
  const cases: { name: string; error: ObservationError; kind: FailureKind; code: string }[] = [
    {
      name: 'DNS by phase',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'dns', causeCode: 'ENOTFOUND' },
      kind: 'dns',
      code: 'ENOTFOUND',
    },
    {
      name: 'DNS by code alone (a probe error)',
      error: { code: 'EAI_AGAIN', message: 'x' },
      kind: 'dns',
      code: 'EAI_AGAIN',
    },
    {
      name: 'refused',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'connect', causeCode: 'ECONNREFUSED' },
      kind: 'refused',
      code: 'ECONNREFUSED',
    },
    {
      name: 'no route',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'connect', causeCode: 'EHOSTUNREACH' },
      kind: 'no-route',
      code: 'EHOSTUNREACH',
    },
    {
      name: 'host down',
      error: { code: 'EHOSTDOWN', message: 'x', phase: 'connect' },
      kind: 'no-route',
      code: 'EHOSTDOWN',
    },
    {
      name: 'client deadline',
      error: { code: 'PLEXDIAG_TIMEOUT', message: 'x', phase: 'timeout' },
      kind: 'timeout',
      code: 'PLEXDIAG_TIMEOUT',
    },
    {
      name: 'collector deadline',
      error: { code: 'ETIMEDOUT', message: 'x', phase: 'timeout' },
      kind: 'timeout',
      code: 'ETIMEDOUT',
    },
    {
      name: 'connect timeout',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'connect', causeCode: 'UND_ERR_CONNECT_TIMEOUT' },
      kind: 'timeout',
      code: 'UND_ERR_CONNECT_TIMEOUT',
    },
    {
      name: 'TLS by phase',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'tls', causeCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      kind: 'tls',
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
    },
    {
      name: 'TLS by code alone',
      error: { code: 'CERT_HAS_EXPIRED', message: 'x' },
      kind: 'tls',
      code: 'CERT_HAS_EXPIRED',
    },
    {
      name: 'reset before an answer',
      error: { code: 'PLEXDIAG_NETWORK', message: 'x', phase: 'request', causeCode: 'ECONNRESET' },
      kind: 'reset',
      code: 'ECONNRESET',
    },
    {
      name: 'HTML body (reason kept)',
      error: { code: 'PLEXDIAG_DECODE', message: 'x', reason: 'html' },
      kind: 'html',
      code: 'PLEXDIAG_DECODE',
    },
    {
      name: 'malformed body',
      error: { code: 'PLEXDIAG_DECODE', message: 'malformed XML', reason: 'malformed-xml' },
      kind: 'not-plex',
      code: 'PLEXDIAG_DECODE',
    },
    {
      name: 'wrong shape',
      error: { code: 'PLEXDIAG_VALIDATION', message: 'x' },
      kind: 'not-plex',
      code: 'PLEXDIAG_VALIDATION',
    },
    {
      name: 'HTTP status',
      error: { code: 'PLEXDIAG_HTTP', message: 'x', status: 502 },
      kind: 'http-status',
      code: 'HTTP 502',
    },
    { name: 'auth', error: { code: 'PLEXDIAG_AUTH', message: 'x', status: 401 }, kind: 'auth', code: 'HTTP 401' },
    { name: 'aborted', error: { code: 'PLEXDIAG_ABORTED', message: 'x' }, kind: 'aborted', code: 'PLEXDIAG_ABORTED' },
    {
      name: 'something new',
      error: { code: 'PLEXDIAG_REDIRECT', message: 'x' },
      kind: 'other',
      code: 'PLEXDIAG_REDIRECT',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = classifyFailure(c.error);
      expect([got.kind, got.code]).toEqual([c.kind, c.code]);
    });
  }
});

describe('isHtmlBody', () => {
  it('reads the decode reason when the error keeps it', () => {
    expect(isHtmlBody({ code: 'PLEXDIAG_DECODE', message: 'got an HTML page', reason: 'empty' })).toBe(false);
    expect(isHtmlBody({ code: 'PLEXDIAG_DECODE', message: 'whatever', reason: 'html' })).toBe(true);
  });
  it("falls back to the decoder's wording when it does not", () => {
    expect(
      isHtmlBody({ code: 'PLEXDIAG_DECODE', message: 'GET /: got an HTML page ("Login") instead of Plex data' }),
    ).toBe(true);
    expect(isHtmlBody({ code: 'PLEXDIAG_DECODE', message: 'GET /: empty response body' })).toBe(false);
  });
  it('only for decode failures', () => {
    expect(isHtmlBody({ code: 'PLEXDIAG_HTTP', message: 'got an HTML page', status: 500 })).toBe(false);
  });
});

describe('failureOf', () => {
  it('is undefined unless the observation failed', () => {
    expect(failureOf(ok({}))).toBeUndefined();
    expect(failureOf(skipped('no token'))).toBeUndefined();
    expect(failureOf(undefined)).toBeUndefined();
    expect(failureOf(failed('PLEXDIAG_NETWORK', 'x', { phase: 'dns', causeCode: 'ENOTFOUND' }))?.kind).toBe('dns');
  });
});
