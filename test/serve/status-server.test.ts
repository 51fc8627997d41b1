/**
 * The status server on loopback: read-only (GET and HEAD only, no bodies), bounded, strict headers on every answer,
 * a Host check against DNS rebinding when there is no auth, Basic and Bearer auth when there is, the JSON API and the
 * metrics (parsed with a Prometheus text parser). A token handed to the server as a secret never comes back out, even
 * when a report carries it by mistake.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLiveState, type LiveState } from '../../src/serve/live-state.js';
import { startStatusServer, type StatusServer } from '../../src/serve/status-server.js';
import type { ServeAuth } from '../../src/serve/serve-auth.js';
import { makeReport } from './helpers/report.js';
import { parsePrometheus, valueOf } from './helpers/prometheus.js';

const TOKEN = 'Zq9-leakme_TOKEN-x7Y2';
let server: StatusServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(state: LiveState, auth?: ServeAuth): Promise<StatusServer> {
  server = await startStatusServer({
    state,
    listen: { host: '127.0.0.1', port: 0 },
    secrets: [TOKEN],
    ...(auth ? { auth } : {}),
  });
  return server;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const { port } = server!.address;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function stateWith(...shapes: ('broken' | 'reachable' | 'failed')[]): LiveState {
  const state = createLiveState({ intervalMs: 60_000 });
  shapes.forEach((shape, i) => {
    const at = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString();
    if (shape === 'failed') state.addRun(at, undefined, 'connect ECONNREFUSED', 10);
    else state.addRun(at, makeReport({ shape, at }), undefined, 10);
  });
  return state;
}

describe('status server', () => {
  it('answers the page with strict security headers', async () => {
    await start(stateWith('broken'));
    const reply = await call('/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
    expect(reply.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    expect(reply.body).toContain('id="root-cause"');
    // No inline script or style: the CSP above would block them.
    expect(reply.body).not.toMatch(/<script>|<style|style="/);
    const head = await call('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('is read-only and takes no bodies', async () => {
    await start(stateWith('broken'));
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await call('/', { method });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    expect((await call('/', { headers: { 'content-length': '5' }, body: 'hello' })).status).toBe(413);
    expect((await call(`/?${'a'.repeat(3000)}`)).status).toBe(414);
    expect((await call('/nowhere')).status).toBe(404);
    expect((await call('/run/999')).status).toBe(404);
  });

  it('refuses oversized headers', async () => {
    await start(stateWith('broken'));
    const reply = await call('/', { headers: { 'x-big': 'y'.repeat(20_000) } });
    expect(reply.status).toBe(431);
  });

  it('without auth, answers only loopback Host names (no DNS rebinding)', async () => {
    await start(stateWith('broken'));
    expect((await call('/api/status', { headers: { host: 'evil.example:80' } })).status).toBe(421);
    expect((await call('/api/status', { headers: { host: `localhost:${server!.address.port}` } })).status).toBe(200);
  });

  it('with a user:password file, asks for Basic auth and checks both', async () => {
    await start(stateWith('broken'), { kind: 'basic', user: 'plex', password: 'correct-horse-battery' });
    const basic = (text: string) => ({ authorization: `Basic ${Buffer.from(text).toString('base64')}` });
    const denied = await call('/');
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toContain('Basic');
    expect((await call('/', { headers: basic('plex:wrong-password-xx') })).status).toBe(401);
    expect((await call('/', { headers: basic('other:correct-horse-battery') })).status).toBe(401);
    expect((await call('/', { headers: basic('plex:correct-horse-battery') })).status).toBe(200);
    expect((await call('/metrics', { headers: { authorization: 'Bearer correct-horse-battery' } })).status).toBe(401);
  });

  it('with a token file, takes it as Bearer or as the Basic password', async () => {
    await start(stateWith('broken'), { kind: 'token', token: 'tok-0123456789abcdef' });
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/metrics', { headers: { authorization: 'Bearer tok-0123456789abcdeX' } })).status).toBe(401);
    expect((await call('/metrics', { headers: { authorization: 'Bearer tok-0123456789abcdef' } })).status).toBe(200);
    const basic = `Basic ${Buffer.from('anyone:tok-0123456789abcdef').toString('base64')}`;
    expect((await call('/', { headers: { authorization: basic } })).status).toBe(200);
  });

  it('serves the current report as --json does, and a 503 before the first run or after a failed one', async () => {
    const state = createLiveState({ intervalMs: 60_000 });
    await start(state);
    const pending = await call('/api/status');
    expect(pending.status).toBe(503);
    expect(JSON.parse(pending.body)).toMatchObject({ status: 'pending' });
    const report = makeReport({ shape: 'broken' });
    state.addRun('2026-03-01T00:00:00.000Z', report, undefined, 5);
    const ok = await call('/api/status');
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(ok.body)).toEqual(report);
    state.addRun('2026-03-01T00:01:00.000Z', undefined, 'connect ECONNREFUSED 127.0.0.1:32400', 5);
    const failed = await call('/api/status');
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body)).toMatchObject({ status: 'diagnosis-failed' });
  });

  it('serves /api/history with the current run, and live state only without a history', async () => {
    await start(stateWith('broken', 'reachable'));
    const reply = JSON.parse((await call('/api/history?since=2026-01-01T00:00:00Z')).body) as {
      current: { band: string; reachable: boolean };
      history: boolean;
      note: string;
      runs: unknown[];
    };
    expect(reply.current).toMatchObject({ band: 'reachable', reachable: true });
    expect(reply.history).toBe(false);
    expect(reply.note).toBe('no history kept');
    expect(reply.runs).toHaveLength(1);
    expect((await call('/api/history?since=yesterday')).status).toBe(400);
  });

  it('exposes metrics a Prometheus parser reads: reachable, state, verdict, findings, durations, alerts', async () => {
    const state = stateWith('reachable');
    await start(state);
    let families = parsePrometheus((await call('/metrics')).body);
    expect(valueOf(families, 'plex_diagnose_reachable')).toBe(1);
    expect(valueOf(families, 'plex_diagnose_verdict', { verdict: 'ok' })).toBe(1);
    state.addRun('2026-03-01T00:05:00.000Z', makeReport({ shape: 'broken' }), undefined, 10);
    state.addAlert({
      kind: 'problem',
      at: '2026-03-01T00:05:00.000Z',
      state: { status: 'problem', causes: [] },
      previous: null,
      causes: [],
      summary: 'x',
    });
    const reply = await call('/metrics');
    expect(reply.headers['content-type']).toContain('text/plain');
    families = parsePrometheus(reply.body);
    expect(valueOf(families, 'plex_diagnose_reachable')).toBe(0);
    expect(valueOf(families, 'plex_diagnose_state', { band: 'broken' })).toBe(1);
    expect(valueOf(families, 'plex_diagnose_verdict', { verdict: 'error' })).toBe(1);
    expect(valueOf(families, 'plex_diagnose_findings', { rule_id: 'isp-blocks-port', severity: 'error' })).toBe(1);
    expect(valueOf(families, 'plex_diagnose_check_duration_seconds', { check: 'collector.3' })).toBeCloseTo(0.013);
    expect(valueOf(families, 'plex_diagnose_last_run_timestamp_seconds')).toBe(
      Date.parse('2026-03-01T00:05:00.000Z') / 1000,
    );
    expect(valueOf(families, 'plex_diagnose_alerts_sent_total', { kind: 'problem' })).toBe(1);
    expect(valueOf(families, 'plex_diagnose_runs_total')).toBe(2);
  });

  it('never serves a secret it knows, even when a report carries it', async () => {
    const state = createLiveState({ intervalMs: 60_000 });
    const leaky = makeReport({ shape: 'broken', name: `srv ${TOKEN}`, text: `token ${TOKEN}` });
    state.addRun('2026-03-01T00:00:00.000Z', leaky, `failed with ${TOKEN}`, 5);
    await start(state);
    for (const path of ['/', '/api/status', '/api/history?since=2000-01-01T00:00:00Z', '/metrics', '/nowhere']) {
      const reply = await call(path);
      expect(reply.body, path).not.toContain(TOKEN);
      expect(reply.body, path).not.toContain(encodeURIComponent(TOKEN));
    }
  });
});
