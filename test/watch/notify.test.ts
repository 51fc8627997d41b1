import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { readRequestBody, startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';
import { parseRetryAfter, sendAlert } from '../../src/watch/notify.js';
import { createAlertTracker, type RunOutcome } from '../../src/watch/tracker.js';
import { Alert } from '../../src/watch/alert.js';
import { cgnat, healthy, ispBlocks, PLANTED_TOKEN, report } from './helpers.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Each path has a script of responses; the last entry repeats. */
type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
const scripts = new Map<string, Reply[]>();
const seen: Seen[] = [];
let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: await readRequestBody(req),
    });
    const script = scripts.get(path) ?? [{ status: 200, body: 'ok' }];
    const reply = script.length > 1 ? script.shift()! : script[0]!;
    if (reply === 'hang') return; // never answers; the client deadline must end it
    res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? '');
  });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  seen.length = 0;
  scripts.clear();
});

function alertFrom(...outcomes: RunOutcome[]): Alert {
  const tracker = createAlertTracker({ debounce: 1 });
  let last: Alert | undefined;
  outcomes.forEach((outcome, i) => {
    last = tracker.observe(outcome, new Date(Date.UTC(2026, 10, 25, 10, i))) ?? last;
  });
  if (!last) throw new Error('script produced no alert');
  return last;
}

const problem = alertFrom({ report: healthy() }, { report: ispBlocks() });
const recovered = alertFrom({ report: ispBlocks() }, { report: healthy() });

/** A sleep that records the delays asked for and returns at once: retries are checked without waiting. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { sleep: async (ms) => void delays.push(ms), delays };
}

describe('sendAlert: delivery and retries', () => {
  it('POSTs the Alert as JSON to a generic URL', async () => {
    const result = await sendAlert(`${server.url}/hook`, problem);
    expect(result).toEqual({ ok: true, attempts: 1, format: 'json', status: 200 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers['user-agent']).toMatch(/^plex-diagnose\//);
    expect(Alert.parse(JSON.parse(seen[0]!.body))).toEqual(problem);
  });

  it('retries 503 with exponential backoff until it succeeds', async () => {
    scripts.set('/flaky', [{ status: 503 }, { status: 503 }, { status: 204 }]);
    const { sleep, delays } = recordingSleep();
    const result = await sendAlert(`${server.url}/flaky`, problem, { sleep, retryDelayMs: 100 });
    expect(result).toEqual({ ok: true, attempts: 3, format: 'json', status: 204 });
    expect(delays).toEqual([100, 200]);
    expect(seen).toHaveLength(3);
  });

  it('gives up after retries + 1 attempts on a server that keeps failing', async () => {
    scripts.set('/down', [{ status: 500, body: 'internal' }]);
    const { sleep, delays } = recordingSleep();
    const result = await sendAlert(`${server.url}/down`, problem, { sleep, retries: 3, retryDelayMs: 10 });
    expect(result).toMatchObject({
      ok: false,
      attempts: 4,
      status: 500,
      error: { code: 'PLEXDIAG_HTTP', retryable: true },
    });
    expect(delays).toEqual([10, 20, 40]);
  });

  it('honours Retry-After on 429 (seconds and HTTP date), capped by maxRetryDelayMs', async () => {
    scripts.set('/limited', [
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 429, headers: { 'Retry-After': '3600' } },
      { status: 200 },
    ]);
    const { sleep, delays } = recordingSleep();
    const result = await sendAlert(`${server.url}/limited`, problem, { sleep, maxRetryDelayMs: 30_000 });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(delays).toEqual([2000, 30_000]);

    const now = Date.parse('2026-11-25T10:00:00Z');
    scripts.set('/dated', [
      { status: 429, headers: { 'Retry-After': 'Wed, 25 Nov 2026 10:00:05 GMT' } },
      { status: 200 },
    ]);
    const dated = recordingSleep();
    await sendAlert(`${server.url}/dated`, problem, { sleep: dated.sleep, now: () => now });
    expect(dated.delays).toEqual([5000]);
  });

  it('does not retry other 4xx, and reports the answer without quoting the webhook URL', async () => {
    scripts.set('/api/webhooks/123/SECRETwebhookTOKEN', [
      { status: 404, body: '{"message": "Unknown Webhook", "code": 10015}' },
    ]);
    const { sleep, delays } = recordingSleep();
    const result = await sendAlert(`${server.url}/api/webhooks/123/SECRETwebhookTOKEN`, problem, { sleep });
    expect(result).toMatchObject({
      ok: false,
      attempts: 1,
      status: 404,
      error: { code: 'PLEXDIAG_HTTP', retryable: false },
    });
    expect(result.error!.message).toContain('Unknown Webhook');
    expect(result.error!.message).toContain(`json webhook at 127.0.0.1:${server.port}`);
    expect(result.error!.message).not.toContain('SECRETwebhookTOKEN');
    expect(delays).toEqual([]);
  });

  it('retries connection failures (a closed port) and never quotes the URL in the error', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const url = `${closed.url}/topic-SECRET-name`;
    await closed.close();
    const { sleep } = recordingSleep();
    const result = await sendAlert(url, problem, { sleep, retries: 2 });
    expect(result).toMatchObject({ ok: false, attempts: 3, error: { code: 'PLEXDIAG_NETWORK', retryable: true } });
    expect(result.error!.message).toMatch(/connect.*ECONNREFUSED/);
    expect(result.error!.message).not.toContain('topic-SECRET-name');
    expect(result.status).toBeUndefined();
  });

  it('a webhook that never answers is cut at the per-attempt deadline and retried', async () => {
    scripts.set('/hang', ['hang']);
    const { sleep } = recordingSleep();
    const result = await sendAlert(`${server.url}/hang`, problem, { sleep, retries: 1, timeoutMs: 150 });
    expect(result).toMatchObject({ ok: false, attempts: 2, error: { code: 'PLEXDIAG_TIMEOUT', retryable: true } });
    expect(result.error!.message).toContain('no answer within 150 ms');
  });

  it('does not follow redirects (a POST turned GET would look delivered)', async () => {
    scripts.set('/moved', [{ status: 302, headers: { Location: '/elsewhere' } }]);
    const result = await sendAlert(`${server.url}/moved`, problem, { sleep: async () => undefined });
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { code: 'PLEXDIAG_REDIRECT', retryable: false } });
    expect(seen.map((s) => s.path)).toEqual(['/moved']);
  });

  it('an abort during the backoff stops at once', async () => {
    scripts.set('/busy', [{ status: 503 }]);
    const controller = new AbortController();
    const result = await sendAlert(`${server.url}/busy`, problem, {
      signal: controller.signal,
      retryDelayMs: 60_000,
      sleep: async () => controller.abort(),
    });
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { code: 'PLEXDIAG_ABORTED' } });
  });

  it('refuses a URL that is not http(s) without a request', async () => {
    expect(await sendAlert('file:///etc/passwd', problem)).toMatchObject({
      ok: false,
      attempts: 0,
      error: { code: 'PLEXDIAG_USAGE' },
    });
    expect(await sendAlert('not a url', problem)).toMatchObject({ ok: false, attempts: 0 });
    expect(seen).toHaveLength(0);
  });

  it('sends URL credentials as Basic auth instead of in the URL', async () => {
    const url = new URL(`${server.url}/alerts#ntfy`);
    url.username = 'watcher';
    url.password = 'pa:ss';
    await sendAlert(url, problem);
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('watcher:pa:ss').toString('base64')}`);
    expect(seen[0]!.path).toBe('/alerts');
  });
});

describe('sendAlert: service formats (chosen by a URL fragment here, by host name in production)', () => {
  it('ntfy: plain text body with Title, Priority and Tags headers', async () => {
    await sendAlert(`${server.url}/plex-alerts#ntfy`, problem);
    const request = seen[0]!;
    expect(request.path).toBe('/plex-alerts'); // the fragment is a local hint, never sent
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request.headers.title).toBe(problem.summary);
    expect(request.headers.priority).toBe('high');
    expect(request.headers.tags).toBe('rotating_light,plex');
    expect(request.body).toBe('[error] Your ISP drops inbound TCP 32400.\nFix: Use external port 40123.');

    await sendAlert(`${server.url}/plex-alerts#ntfy`, recovered);
    expect(seen[1]!.headers.priority).toBe('default');
    expect(seen[1]!.headers.tags).toBe('white_check_mark,plex');
    expect(seen[1]!.body).toBe('No problems found.');
  });

  it('ntfy: a non-ASCII title is RFC 2047 encoded instead of breaking the request', async () => {
    const named = { ...problem, summary: 'Plex remote access problem (Wohnzimmer-Server 📺): Port blockiert' };
    const result = await sendAlert(`${server.url}/t#ntfy`, named);
    expect(result.ok).toBe(true);
    const title = seen[0]!.headers.title as string;
    expect(title).toMatch(/^=\?UTF-8\?B\?.+\?=$/);
    expect(Buffer.from(title.slice(10, -2), 'base64').toString('utf8')).toBe(named.summary);
  });

  it('Discord: content plus one embed with title, description, colour and a field per cause', async () => {
    await sendAlert(`${server.url}/api/webhooks/1/x#discord`, problem);
    const body = JSON.parse(seen[0]!.body);
    expect(body.content).toBe(problem.summary);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0]).toMatchObject({
      title: 'Plex remote access problem: Living Room',
      color: 0xe74c3c,
      fields: [
        { name: 'error: isp-blocks-port', value: 'Your ISP drops inbound TCP 32400.\nFix: Use external port 40123.' },
      ],
      timestamp: problem.at,
    });
    expect(body.embeds[0].description).toBe('1 root cause on http://192.168.1.10:32400, most important first.');
  });

  it("Discord: stays within Discord's limits however long the report", async () => {
    const long = 'x'.repeat(3000);
    const many = report(
      ...Array.from({ length: 40 }, (_, i) => ({ ruleId: `rule-${i}`, message: `${i} ${long}`, fix: long })),
    );
    const alert = alertFrom({ report: healthy() }, { report: many });
    await sendAlert(`${server.url}/d#discord`, alert);
    const body = JSON.parse(seen[0]!.body);
    const embed = body.embeds[0];
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeGreaterThan(0);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    for (const field of embed.fields) expect(field.value.length).toBeLessThanOrEqual(1024);
    const total =
      embed.title.length +
      embed.description.length +
      embed.fields.reduce((n: number, f: { name: string; value: string }) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
  });

  it('Slack: text plus header, one section per cause (mrkdwn-escaped) and a context line', async () => {
    const angled = alertFrom(
      { report: healthy() },
      {
        report: report({ ruleId: 'proxy', message: 'Reverse proxy <nginx> & friends', fix: 'Set <customConnections>' }),
      },
    );
    await sendAlert(`${server.url}/services/T/B/x#slack`, angled);
    const body = JSON.parse(seen[0]!.body);
    expect(body.text).toBe(angled.summary);
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Plex remote access problem' },
    });
    expect(body.blocks[1].text.text).toBe(
      '*error* · `proxy`\nReverse proxy &lt;nginx&gt; &amp; friends\n*Fix:* Set &lt;customConnections&gt;',
    );
    expect(body.blocks.at(-1).type).toBe('context');
  });

  it('no format ever carries the token, even when the report evidence and text hold it', async () => {
    const leaky = report({
      ruleId: 'custom-url',
      message: `Custom URL https://plex.example.com/?X-Plex-Token=${PLANTED_TOKEN} is unreachable`,
      fix: `Remove the header X-Plex-Token: ${PLANTED_TOKEN} from the proxy config`,
    });
    const failing: RunOutcome = {
      error: new Error(`GET http://10.0.0.2:32400/identity?X-Plex-Token=${PLANTED_TOKEN}: connect failed`),
    };
    const alerts = [
      alertFrom({ report: healthy() }, { report: leaky }),
      alertFrom({ report: cgnat() }, failing),
      alertFrom({ report: leaky }, { report: healthy() }),
    ];
    for (const alert of alerts) {
      for (const fragment of ['#json', '#discord', '#slack', '#ntfy']) {
        await sendAlert(`${server.url}/leak${fragment}`, alert);
      }
    }
    expect(seen).toHaveLength(12);
    for (const request of seen) {
      expect(request.body).not.toContain(PLANTED_TOKEN);
      expect(JSON.stringify(request.headers)).not.toContain(PLANTED_TOKEN);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores junk', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('1.5', 0)).toBe(1500);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:10 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
