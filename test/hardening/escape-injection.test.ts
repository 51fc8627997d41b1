/**
 * Terminal and markdown injection (issue 15 item 2): server names, evidence, messages, reasons and GDM names are
 * whatever a server, a router or a snapshot file said. Property over every formatter (text with and without colour,
 * verbose, JSON, markdown) and over `discover`: arbitrary Unicode plus known attacks (OSC 52 clipboard writes, window
 * titles, clear-screen, a forged "[✓] All good" line, C1 CSI, bidi overrides, `<img onerror>`, `javascript:` links)
 * never reach the output raw.
 */
import { PassThrough, Readable } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { marked } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/core/report.js';
import { defineRule } from '../../src/rules/define-rule.js';
import { evaluateRules } from '../../src/rules/engine.js';
import { formatJson } from '../../src/report/format/json.js';
import { formatMarkdown } from '../../src/report/format/markdown.js';
import { formatText } from '../../src/report/format/text.js';
import { startFakeGdm } from '../../src/testing/fake-gdm.js';
import { makeSnapshot, ok } from '../helpers/snapshot.js';

const ATTACKS = [
  '\u001b]52;c;cm0gLXJmIH4=\u0007', // OSC 52: writes the clipboard
  '\u001b]0;pwned\u0007', // window title
  '\u001b[2J\u001b[H', // clear screen, cursor home
  '\n[✓] All good ........ 0 problems\n',
  '\r[✓] Remote access ... reachable',
  '\u009b2J', // C1 CSI
  '\u009d0;title\u009c', // C1 OSC ... ST
  '\u202eevil\u202c', // bidi override
  '\u2066x\u2069\u2028\u0085',
  '\u001b[8m',
  '\u007f\u0000\u0008',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![x](https://evil.example/x.png)',
  'https://evil.example/ www.evil.example a@evil.example',
  '<script>alert(1)</script>',
  '| a | b |\n|---|---|',
  '```\n</details><img src=x>',
  '# heading',
  '- item',
  '1. item',
  '> quote',
  '`code`',
  '&lt;img src=x onerror=alert(1)&gt;',
  '"]\nclick h0 call alert()',
];

const untrusted = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...ATTACKS),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...ATTACKS), fc.string({ unit: 'binary', maxLength: 8 }))
    .map((parts) => parts.join('')),
);

const FIELDS = [
  'name',
  'url',
  'message',
  'source',
  'observed',
  'expected',
  'fix',
  'reason',
  'obsError',
  'hopLabel',
  'hopDetail',
  'hopNote',
] as const;
type Values = Record<(typeof FIELDS)[number], string>;
const values: fc.Arbitrary<Values> = fc.record(
  Object.fromEntries(FIELDS.map((field) => [field, untrusted])) as Record<keyof Values, fc.Arbitrary<string>>,
);

const finding = defineRule({
  id: 'isp-blocks-port',
  meta: {
    severity: 'error',
    category: 'remote-access',
    title: 'ISP does not filter the public port',
    requires: ['facts'],
    messages: { m: 'x' },
    fixes: { f: 'y' },
    docsUrl: 'https://example.invalid/docs/rules/isp-blocks-port.md',
  },
  evaluate: (ctx) =>
    ctx.report({
      messageId: 'm',
      evidence: [{ source: 's', observed: 'o', expected: 'e' }],
      confidence: 'high',
      fix: { fixId: 'f', actions: [{ type: 'set-pref', pref: 'ManualPortMappingPort', value: 1 }] },
    }),
});
const skippedRule = defineRule({
  id: 'tls-check',
  meta: { severity: 'warning', category: 'tls', title: 'TLS', requires: ['missing'], messages: { m: 'x' } },
  evaluate: () => undefined,
});

const base = evaluateRules(makeSnapshot({ facts: ok({}) }), { rules: [finding, skippedRule] });

/** The report with every untrusted string taken from `v` (a benign `v` gives the same structure). */
function reportWith(v: Values): Report {
  const report = structuredClone(base);
  report.target = { ...report.target, name: v.name, url: v.url };
  const d = report.diagnoses[0]!;
  d.message = v.message;
  d.evidence = [{ source: v.source, observed: v.observed, expected: v.expected }];
  d.fix = { ...d.fix!, message: v.fix };
  report.checks.find((check) => check.status === 'not-checked')!.reason = v.reason;
  report.observations = [
    { id: 'server.identity', status: 'failed', durationMs: 3, error: { code: 'X', message: v.obsError } },
  ];
  report.path = {
    hops: [
      { kind: 'server', label: v.hopLabel, detail: v.hopDetail, status: 'broken', note: v.hopNote },
      { kind: 'internet', label: 'Internet', status: 'ok' },
    ],
  };
  return report;
}

const benign = reportWith(Object.fromEntries(FIELDS.map((field) => [field, 'x'])) as Values);

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const OWN_SGR = /\u001b\[\d{1,2}m/g;
const STATUS_LINE = /^\s*\[[✓!✗☠-]\]/;

function expectSafeTerminalText(text: string, reference: string): void {
  expect(text.replace(OWN_SGR, '')).not.toMatch(RAW_CONTROL);
  // Line structure and status lines exactly as with harmless values: nothing was forged or broken.
  const lines = text.replace(OWN_SGR, '').split('\n');
  const referenceLines = reference.replace(OWN_SGR, '').split('\n');
  expect(lines.length).toBe(referenceLines.length);
  expect(lines.filter((line) => STATUS_LINE.test(line)).length).toBe(
    referenceLines.filter((line) => STATUS_LINE.test(line)).length,
  );
}

describe('every formatter neutralises untrusted strings', () => {
  it('text, plain, coloured and verbose', () => {
    for (const options of [{}, { color: true }, { verbose: true }, { color: true, verbose: true }]) {
      const reference = formatText(benign, options);
      fc.assert(
        fc.property(values, (v) => expectSafeTerminalText(formatText(reportWith(v), options), reference)),
        { numRuns: 150 },
      );
    }
  });

  it('JSON stays valid, round-trips, and carries no raw control character', () => {
    fc.assert(
      fc.property(values, (v) => {
        const report = reportWith(v);
        const json = formatJson(report);
        expect(json).not.toMatch(RAW_CONTROL);
        expect(JSON.parse(json)).toEqual(report);
      }),
      { numRuns: 200 },
    );
  });

  it('markdown: no raw HTML, no link, no image, no broken list item or table', () => {
    const referenceHtml = marked.parse(formatMarkdown(benign), { gfm: true, async: false });
    const tagsOf = (html: string): string[] =>
      [...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1]!.toLowerCase());
    fc.assert(
      fc.property(values, (v) => {
        const markdown = formatMarkdown(reportWith(v));
        expect(markdown).not.toMatch(RAW_CONTROL);
        expect(markdown.split('\n').length).toBe(formatMarkdown(benign).split('\n').length);
        const html = marked.parse(markdown, { gfm: true, async: false });
        // The same elements as the harmless report: no <img>, <script>, extra <a>, list item, cell or heading. Only
        // our own emphasis around a value may fail to form (escaped punctuation at its edge), never be added.
        const structural = (tags: string[]): string[] => tags.filter((tag) => tag !== 'em' && tag !== 'strong').sort();
        expect(structural(tagsOf(html))).toEqual(structural(tagsOf(referenceHtml)));
        for (const tag of ['em', 'strong'])
          expect(tagsOf(html).filter((t) => t === tag).length).toBeLessThanOrEqual(
            tagsOf(referenceHtml).filter((t) => t === tag).length,
          );
        for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^https:\/\/example\.invalid\//);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pd-escape-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], isTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = Object.assign(
      new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString())),
      { isTTY },
    );
    const err = new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const code = await main(argv, {
        stdout: out,
        stderr: err,
        stdin: Readable.from([]),
        env: { PATH: process.env.PATH, HOME: dir, PLEX_DIAGNOSE_CONFIG_DIR: join(dir, 'config') },
        cwd: dir,
        signal: controller.signal,
      });
      return { code, stdout, stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  it('discover prints GDM names, versions and ids escaped, in text and JSON', async () => {
    await fc.assert(
      fc.asyncProperty(untrusted, untrusted, async (name, version) => {
        const gdm = await startFakeGdm({
          servers: [{ machineIdentifier: `id${version}`, name, version }],
        });
        try {
          const text = await run(['discover', '--gdm-target', `127.0.0.1:${gdm.port}`, '--timeout', '150ms']);
          expect(text.stdout + text.stderr).not.toMatch(RAW_CONTROL);
          expect(text.stdout.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
          const json = await run(['discover', '--json', '--gdm-target', `127.0.0.1:${gdm.port}`, '--timeout', '150ms']);
          expect(json.stdout).not.toMatch(RAW_CONTROL);
          expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
        } finally {
          await gdm.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('analyze of a hostile snapshot: text in a colour terminal and markdown stay inert', async () => {
    const snapshot = makeSnapshot(
      {},
      { target: { url: 'http://192.168.1.10:32400', name: ATTACKS.slice(0, 6).join('') } },
    );
    const file = join(dir, 'evil.json');
    await writeFile(file, JSON.stringify(snapshot));
    const text = await run(['analyze', file], true);
    expect(text.stdout).toContain('\\u001b]52');
    expect(text.stdout.replace(OWN_SGR, '')).not.toMatch(RAW_CONTROL);
    expect(text.stdout.split('\n').filter((line) => line.includes('All good'))).toHaveLength(1);
    const markdown = await run(['analyze', file, '--markdown']);
    expect(markdown.stdout).not.toMatch(RAW_CONTROL);
  });
});
