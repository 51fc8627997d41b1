import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../../src/rules/engine.js';
import { defineRule } from '../../../src/rules/define-rule.js';
import { formatText } from '../../../src/report/format/text.js';
import { formatMarkdown, formatPathMermaid } from '../../../src/report/format/markdown.js';
import { formatJson } from '../../../src/report/format/json.js';
import type { NetworkPath, Report } from '../../../src/core/report.js';
import { makeSnapshot, ok } from '../../helpers/snapshot.js';

const blocked = defineRule({
  id: 'isp-blocks-port',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'ISP does not filter the public port',
    requires: ['facts'],
    explains: ['unreachable'],
    messages: { blocked: 'Your ISP drops inbound TCP {{port}}.' },
    fixes: { altPort: 'Forward external port {{alt}} to {{lan}}:32400 and set the manual public port to {{alt}}.' },
    docsUrl: 'https://example.invalid/docs/rules/isp-blocks-port.md',
  },
  evaluate(ctx) {
    ctx.report({
      messageId: 'blocked',
      data: { port: 32400 },
      evidence: [
        { source: 'server.account', observed: 'mappingError=unreachable', expected: 'no mapping error' },
        { source: 'router (UPnP)', observed: 'forward 32400 → 192.168.1.10:32400' },
      ],
      confidence: 'medium',
      fix: {
        fixId: 'altPort',
        data: { alt: 40123, lan: '192.168.1.10' },
        actions: [
          { type: 'set-pref', pref: 'ManualPortMappingMode', value: true },
          { type: 'set-pref', pref: 'ManualPortMappingPort', value: 40123 },
        ],
      },
    });
  },
});
const unreachable = defineRule({
  id: 'unreachable',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'Reachable',
    requires: ['facts'],
    messages: { m: 'plex.tv cannot reach 84.1.1.2:32400.' },
  },
  evaluate: (ctx) =>
    ctx.report({
      messageId: 'm',
      evidence: [{ source: 'server.account', observed: 'mappingState=failed' }],
      confidence: 'high',
    }),
});
const dnsOk = defineRule({
  id: 'dns-ok',
  meta: {
    severity: 'warning',
    category: 'dns',
    title: 'plex.direct resolves',
    requires: ['facts'],
    messages: { m: 'x' },
  },
  evaluate: () => undefined,
});
const tlsSkipped = defineRule({
  id: 'tls-check',
  meta: { severity: 'warning', category: 'tls', title: 'TLS', requires: ['missing'], messages: { m: 'x' } },
  evaluate: () => undefined,
});

const path: NetworkPath = {
  hops: [
    { kind: 'server', label: 'Plex Media Server', detail: '192.168.1.10:32400', status: 'ok' },
    { kind: 'router', label: 'Router', detail: 'LAN 192.168.1.1 · WAN 84.1.1.2', status: 'ok' },
    {
      kind: 'public',
      label: 'Public address',
      detail: '84.1.1.2:32400',
      status: 'broken',
      note: 'inbound 32400 is dropped upstream of your router',
    },
    { kind: 'internet', label: 'Internet', status: 'ok' },
  ],
};

function report(): Report {
  return {
    ...evaluateRules(
      makeSnapshot({ facts: ok({}) }, { target: { url: 'http://192.168.1.10:32400', name: 'Basement' } }),
      { rules: [blocked, unreachable, dnsOk, tlsSkipped] },
    ),
    path,
  };
}

describe('formatText', () => {
  it('renders the doctor layout without colour', () => {
    expect(formatText(report())).toMatchSnapshot();
  });

  it('adds check lines, docs links and observations in verbose mode', () => {
    const text = formatText(report(), { verbose: true });
    expect(text).toContain('skipped tls-check (missing was not collected)');
    expect(text).toContain('Docs: https://example.invalid/docs/rules/isp-blocks-port.md');
    expect(text).toContain('Observations');
  });

  it('uses ANSI colour only when asked', () => {
    expect(formatText(report())).not.toMatch(/\u001b\[/);
    expect(formatText(report(), { color: true })).toMatch(/\u001b\[31m/);
  });

  it('says so plainly when nothing is wrong', () => {
    const healthy = evaluateRules(makeSnapshot({ facts: ok({}) }), { rules: [dnsOk] });
    expect(formatText(healthy)).toContain('No problems found. 1 check run: 1 passed, 0 failed');
  });
});

describe('formatMarkdown', () => {
  it('renders a forum-ready report with a mermaid path', () => {
    expect(formatMarkdown(report())).toMatchSnapshot();
  });

  it('marks the broken hop in the mermaid diagram', () => {
    const mermaid = formatPathMermaid(path);
    expect(mermaid).toContain('h1 -. ✗ .-> h2');
    expect(mermaid).toContain('style h2 fill:#fdd,stroke:#c00');
    expect(mermaid).toContain('h0["Plex Media Server<br/>192.168.1.10:32400"]');
  });
});

describe('formatJson', () => {
  it('is the report itself', () => {
    const r = report();
    expect(JSON.parse(formatJson(r))).toEqual(r);
  });
});
