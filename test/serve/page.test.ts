/**
 * The pages escape what came from the network: a server name, messages, evidence and path details full of markup,
 * control characters and bidi overrides come out as inert text; token shapes are redacted. And the page says what
 * it knows: the root cause and fix, the broken hop, outside checks or their absence, the timeline's bands and links.
 */
import { describe, expect, it } from 'vitest';
import { createLiveState } from '../../src/serve/live-state.js';
import { renderRunPage, renderStatusPage } from '../../src/serve/page/render-page.js';
import { html } from '../../src/serve/escape-html.js';
import { makeReport } from './helpers/report.js';
import type { Timeline } from '../../src/serve/history/store.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; background:url(javascript:alert(1))",
  '</svg><svg onload=alert(1)>',
  '\u001b[31mred\u001b[0m',
  'safe\u202Eevil',
  '&lt;already&gt;',
];
const NOW = Date.parse('2026-03-10T12:00:00Z');

function page(report = makeReport({ shape: 'broken', at: new Date(NOW).toISOString() }), timeline?: Timeline) {
  const state = createLiveState({ intervalMs: 60_000, startedAt: '2026-03-10T00:00:00.000Z' });
  state.addRun(new Date(NOW).toISOString(), report, undefined, 1000);
  return renderStatusPage({ state, timeline, days: 7, nowMs: NOW });
}

/** Everything between tags, as a browser would read it after decoding entities. */
function markupOutsideText(document: string): string[] {
  return [...document.matchAll(/<([a-zA-Z]+)[\s>]/g)].map((m) => m[1]!.toLowerCase());
}

describe('status page escaping', () => {
  for (const hostile of HOSTILE) {
    it(`keeps ${JSON.stringify(hostile)} inert in the name, messages, evidence and path`, () => {
      const document = page(makeReport({ shape: 'broken', name: hostile, text: hostile }));
      expect(document).not.toContain(hostile.includes('<') || hostile.includes('"') ? hostile : '\u0000');
      expect(document).not.toMatch(/<script>alert|onerror=alert\(1\)>|<svg onload/);
      expect(document).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      // The only elements are the page's own (no <img>, no second <svg> opened by the text).
      const tags = new Set(markupOutsideText(document));
      expect(tags.has('img')).toBe(false);
      expect(document.match(/<script/g)).toHaveLength(1); // the page's own /static/timeline.js
      expect(document).toContain(html(hostile));
    });
  }

  it('redacts token shapes that reached a message', () => {
    const document = page(makeReport({ shape: 'broken', text: 'https://h/?X-Plex-Token=abcdefghijklmnop1234' }));
    expect(document).not.toContain('abcdefghijklmnop1234');
    expect(document).toContain('REDACTED');
  });
});

describe('status page content', () => {
  it('shows the verdict, root cause, fix and the broken hop', () => {
    const document = page();
    expect(document).toContain('data-band="broken"');
    expect(document).toMatch(/id="root-cause">Root cause: <strong>The ISP blocks inbound port 32400/);
    expect(document).toContain('id="fix"');
    expect(document).toContain('ManualPortMappingPort = 40123');
    expect(document).toMatch(/<g class="hop hop-broken" data-status="broken"><title>Public address/);
    expect(document).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('says that no outside checks are configured, or lists them', () => {
    expect(page()).toContain('id="no-outside"');
    const withOutside = page(
      makeReport({
        shape: 'reachable',
        extraObservations: [
          { id: 'outside.reflector.32400', status: 'ok', durationMs: 120 },
          {
            id: 'outside.reflector.40123',
            status: 'failed',
            durationMs: 3000,
            error: { code: 'PLEXDIAG_TIMEOUT', phase: 'connect', message: 'no answer' },
          },
        ],
      }),
    );
    expect(withOutside).not.toContain('id="no-outside"');
    expect(withOutside).toMatch(/outside\.reflector\.40123<\/code><\/td><td><span class="badge badge-broken">failed/);
  });

  it("lists watch's monitored forwards with state, since and cause, escaping a hostile label", () => {
    const state = createLiveState({ intervalMs: 60_000, startedAt: '2026-03-10T00:00:00.000Z' });
    const report = makeReport({
      shape: 'reachable',
      extraObservations: [{ id: 'probe.outside', status: 'ok', durationMs: 900 }],
    });
    state.addRun(new Date(NOW).toISOString(), report, undefined, 1000);
    state.setForwards([
      {
        externalPort: 2222,
        name: 'port 2222 → 192.168.1.10:2222 (<img src=x onerror=alert(1)>)',
        state: 'broken',
        since: '2026-03-10T11:58:00.000Z',
        cause: 'not-forwarded',
        seen: 'refused',
      },
      { externalPort: 8080, name: 'port 8080', state: 'open', since: '2026-03-10T10:00:00.000Z', seen: 'open' },
      { externalPort: 25565, name: 'port 25565', state: 'unknown' },
    ]);
    const document = renderStatusPage({ state, timeline: undefined, days: 7, nowMs: NOW });
    expect(document).toContain('id="monitored-forwards"');
    expect(document).toMatch(
      /<tr data-port="2222"><td>port 2222 → 192\.168\.1\.10:2222 \(&lt;img[^<]*\)<\/td><td><span class="badge badge-broken">broken<\/span><\/td><td><time datetime="2026-03-10T11:58:00.000Z">2026-03-10 11:58:00 UTC<\/time><\/td><td>refused<\/td><td>not-forwarded<\/td>/,
    );
    expect(document).toMatch(
      /data-port="25565"><td>port 25565<\/td><td><span class="badge badge-unknown">not yet confirmed/,
    );
    expect(document).not.toContain('<img src=x');
    // The per-check rows of probe.outside are still there below.
    expect(document).toMatch(/probe\.outside<\/code>/);
  });

  it("shows each port the reflector checked, from the report's probe.outside value, with hostile text escaped", () => {
    const report = makeReport({
      shape: 'broken',
      extraObservations: [{ id: 'probe.outside', status: 'ok', durationMs: 900 }],
    });
    const ports = [
      { port: 32400, role: 'plex', tcp: { state: 'filtered' } },
      { port: 40123, role: 'forward', tcp: { state: 'open' }, identityMatches: true },
      { port: 443, role: '<img src=x onerror=alert(1)>', tcp: { state: 'open' }, identityMatches: false },
    ];
    const snapshot = {
      observations: {
        'probe.outside': { status: 'ok', durationMs: 900, value: { vantage: 'reflector', outside: true, ports } },
      },
    };
    const document = page({ ...report, snapshot } as unknown as typeof report);
    expect(document).toMatch(/<td>32400<\/td><td>plex<\/td><td><span class="badge badge-broken">filtered/);
    expect(document).toMatch(
      /<td>40123<\/td><td>forward<\/td><td><span class="badge badge-ok">open<\/span><\/td><td>this server/,
    );
    expect(document).toContain('ANOTHER server');
    expect(document).not.toContain('<img src=x');
    expect(document).not.toContain('not an outside view');
  });

  it('draws one band per stretch, each change a link to its run, and says when there is no history', () => {
    const at = (hours: number) => new Date(NOW - hours * 3_600_000).toISOString();
    const row = (id: number, hours: number, band: 'reachable' | 'broken') => ({
      id,
      at: at(hours),
      band,
      verdict: band === 'broken' ? 'error' : 'ok',
      changed: true,
      reportId: id,
      ...(band === 'broken' ? { topRule: 'isp-blocks-port', topMessage: '<b>blocked</b>' } : {}),
    });
    const timeline: Timeline = {
      before: { ...row(1, 24 * 8, 'reachable'), changed: false },
      changes: [row(5, 30, 'broken'), row(9, 2, 'reachable')],
      last: row(9, 2, 'reachable'),
    };
    const document = page(undefined, timeline);
    expect(document.match(/<rect class="band /g)).toHaveLength(3);
    expect(document).toContain('href="/run/5"');
    expect(document).toContain('href="/run/9"');
    expect(document).toContain('isp-blocks-port: &lt;b&gt;blocked&lt;/b&gt;');
    expect(page()).toContain('No history kept.');
  });

  it("renders a past run's page with its report", () => {
    const report = makeReport({ shape: 'broken', name: '<i>x</i>' });
    const document = renderRunPage(
      { id: 3, at: '2026-03-10T03:12:00.000Z', band: 'broken', verdict: 'error', changed: true, reportId: 1 },
      report,
    );
    expect(document).toContain('run of 2026-03-10 03:12:00 UTC');
    expect(document).toContain('&lt;i&gt;x&lt;/i&gt;');
    expect(document).toContain('The ISP blocks inbound port 32400');
  });
});
