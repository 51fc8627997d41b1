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

const answers = defineRule({
  id: 'answers',
  meta: {
    severity: 'error',
    category: 'server',
    title: 'Server answers',
    requires: ['facts'],
    decides: 'server-answers',
    messages: { m: 'x' },
  },
  evaluate: (ctx) => ctx.pass({ evidence: [{ source: 'facts', observed: 'answered' }] }),
});
const answersSkipped = defineRule({
  ...answers,
  evaluate: (ctx) => ctx.notChecked({ reason: 'identity was not collected', howToCheck: 'run it against the server' }),
});
const suspect = (
  id: string,
  message: string,
  likelihood: 'medium' | 'low',
  step: 'router-page' | 'command',
  text: string,
) =>
  defineRule({
    id,
    meta: { severity: 'error', category: 'network', title: id, requires: ['facts'], messages: { m: message } },
    evaluate: (ctx) =>
      ctx.suspect({
        messageId: 'm',
        for: [
          { source: 'server.account', observed: 'mappingState=failed' },
          ...(id === 'no-fwd'
            ? [{ source: 'declared.forwards', observed: 'forward 32400 → 192.168.1.99:32400', declared: true }]
            : []),
        ],
        against: id === 'isp' ? [{ source: 'router (UPnP)', observed: 'forward listed' }] : [],
        nextStep: { kind: step, text },
        likelihood,
      }),
  });
function withDifferential(): Report {
  return evaluateRules(makeSnapshot({ facts: ok({}) }), {
    rules: [
      answersSkipped,
      suspect('isp', 'The ISP may block 32400', 'low', 'command', 'plex-diagnose --experiment alternate-port'),
      suspect('no-fwd', 'The router may not forward 32400', 'medium', 'router-page', 'the Port Forwarding page'),
    ],
  });
}

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
    expect(text).toContain('not-checked tls-check (missing was not collected → collect missing');
    expect(text).toContain('Docs: https://example.invalid/docs/rules/isp-blocks-port.md');
    expect(text).toContain('Observations');
  });

  it('uses ANSI colour only when asked', () => {
    expect(formatText(report())).not.toMatch(/\u001b\[/);
    expect(formatText(report(), { color: true })).toMatch(/\u001b\[31m/);
  });

  it('says so plainly when nothing is wrong', () => {
    const healthy = evaluateRules(makeSnapshot({ facts: ok({}) }), { rules: [answers] });
    expect(formatText(healthy)).toContain('No problems found. 1 check decided: 1 passed, 0 failed');
    expect(formatText(healthy)).not.toContain('Inconclusive');
  });

  it('never says "No problems found" when a silent rule could not decide: inconclusive, with what is missing', () => {
    const open = evaluateRules(makeSnapshot({ facts: ok({}) }), { rules: [dnsOk, answersSkipped] });
    const text = formatText(open);
    expect(text).not.toContain('No problems found');
    expect(text).toContain('Inconclusive: no problem found, but remote access could not be checked.');
    expect(text).toContain('Not checked (what a conclusive answer needs)');
    expect(text).toContain('? answers: identity was not collected → run it against the server');
    expect(text).toMatch(/\[\?\] DNS \(plex\.direct\) \.+ not checked: the rule found no evidence/);
  });

  it('shows the differential: each candidate with what points to it, away from it, and the next step', () => {
    const text = formatText(withDifferential());
    expect(text).toContain('Possible causes (not decided by the evidence; most likely first)');
    expect(text).toContain('1. The router may not forward 32400 (no-fwd, likelihood: medium)');
    expect(text).toContain('    + server.account: mappingState=failed');
    expect(text).toContain('    + you said: forward 32400 → 192.168.1.99:32400');
    expect(text).toContain('    → Open: the Port Forwarding page');
    expect(text).toContain('2. The ISP may block 32400 (isp, likelihood: low)');
    expect(text).toContain('    - router (UPnP): forward listed');
    expect(text).toContain('    → Run: plex-diagnose --experiment alternate-port');
  });
});

describe('formatMarkdown', () => {
  it('shows the differential and what is missing', () => {
    const md = formatMarkdown(withDifferential());
    expect(md).toContain('### Possible causes (most likely first)');
    expect(md).toContain('   - ➕ you said: forward 32400 → 192.168.1.99:32400');
    expect(md).toContain('   - ➖ router (UPnP): forward listed');
    expect(md).toContain('   - **Next step:** Open: the Port Forwarding page');
    expect(md).toContain('### ❔ Not checked (what a conclusive answer needs)');
  });

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
  it('carries the verdict and the differential', () => {
    const json = JSON.parse(formatJson(withDifferential())) as Report;
    expect(json.verdict.status).toBe('inconclusive');
    expect(json.summary.verdict).toBe('inconclusive');
    expect(json.differential!.candidates.map((c) => [c.ruleId, c.nextStep.kind])).toEqual([
      ['no-fwd', 'router-page'],
      ['isp', 'command'],
    ]);
  });
  it('is the report itself', () => {
    const r = report();
    expect(JSON.parse(formatJson(r))).toEqual(r);
  });
});
