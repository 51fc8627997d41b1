/**
 * Parse cost (issue 15 item 5): 480k attributes in a body under the 8 MiB cap cost 1.4 GB RSS and 19 s of synchronous
 * parsing that no --timeout could interrupt. Counted before the validator and parser run now, the body ends in a typed
 * DecodeError (reason 'xml-too-complex'), and the process stays under 300 MB. Each case runs in a child process of its
 * own so its peak RSS is its own; time is bounded by the test timeout, never asserted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/http/decode.js';
import { checkXmlCost, XML_LIMITS } from '../../src/http/xml.js';
import { REPO_ROOT } from '../cli/paths.js';

interface ChildOutcome {
  threw: boolean;
  name?: string;
  code?: string;
  reason?: string;
  message?: string;
  bytes: number;
  maxRssMb: number;
}

const FIXTURE = join(import.meta.dirname, 'fixtures', 'decode-costly-xml.ts');

function decodeInChild(shape: string, target = 'decode'): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, shape, target], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`child ended with ${code ?? signal}: ${stderr}`));
      else resolve(JSON.parse(stdout) as ChildOutcome);
    });
  });
}

describe('XML that costs more to parse than any Plex payload', () => {
  it.each(['one-element', 'attributes', 'elements', 'depth'])(
    '%s: a typed DecodeError before parsing, and the process stays under 300 MB',
    async (shape) => {
      const outcome = await decodeInChild(shape);
      expect(outcome).toMatchObject({ threw: true, name: 'DecodeError', code: 'PLEXDIAG_DECODE' });
      expect(outcome.reason).toBe('xml-too-complex');
      expect(outcome.message).toMatch(
        /XML refused: (more than \d+ (XML elements|XML attributes|attributes on one XML element)|XML nested deeper)/,
      );
      expect(outcome.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
      expect(outcome.maxRssMb).toBeLessThan(300);
    },
    120_000,
  );

  it('the plist reader (Preferences on macOS) refuses it the same way', async () => {
    const outcome = await decodeInChild('attributes', 'plist');
    expect(outcome).toMatchObject({ threw: true, name: 'PlistFormatError' });
    expect(outcome.message).toMatch(/more than \d+ (XML attributes|attributes on one XML element)/);
    expect(outcome.maxRssMb).toBeLessThan(300);
  }, 120_000);
});

describe('the pre-scan counts what the parser would build', () => {
  const attrs = (n: number): string => Array.from({ length: n }, (_, i) => ` a${i}="x"`).join('');

  it('counts attributes in tags only: `=` in text, quoted values, comments and CDATA is not an attribute', () => {
    const text = `<a${attrs(3)}>x=y<!-- b="1" c="2" --><![CDATA[ d="1" ]]><b e="a=b" f='g=h'/></a>`;
    expect(checkXmlCost(text, { ...XML_LIMITS, elements: 2, attributes: 5, depth: 2 })).toBeUndefined();
    expect(checkXmlCost(text, { ...XML_LIMITS, elements: 2, attributes: 4, depth: 2 })?.limit).toBe('attributes');
    expect(checkXmlCost(text, { ...XML_LIMITS, elements: 1, attributes: 5, depth: 2 })?.limit).toBe('elements');
  });

  it('bounds the attributes of one element apart from the total', () => {
    const limits = { ...XML_LIMITS, attributesPerElement: 3 };
    expect(checkXmlCost(`<a${attrs(3)}><b${attrs(3)}/></a>`, limits)).toBeUndefined();
    expect(checkXmlCost(`<a${attrs(1)}><b${attrs(4)}/></a>`, limits)?.limit).toBe('attributesPerElement');
  });

  it('counts depth with closing and self-closing tags', () => {
    expect(
      checkXmlCost('<a><b><c/></b><b/></a>', { ...XML_LIMITS, elements: 10, attributes: 0, depth: 2 }),
    ).toBeUndefined();
    expect(checkXmlCost('<a><b><c></c></b></a>', { ...XML_LIMITS, elements: 10, attributes: 0, depth: 2 })?.limit).toBe(
      'depth',
    );
  });

  it('lets a realistic large payload through: 2000 resources of 15 attributes each', () => {
    const device = `<resource${attrs(15)}><connection${attrs(6)}/><connection${attrs(6)}/></resource>`;
    const body = `<MediaContainer size="2000">${device.repeat(1500)}</MediaContainer>`;
    expect(checkXmlCost(body)).toBeUndefined();
    expect(() => decodeBody(Buffer.from(body), { contentType: 'text/xml' })).not.toThrow();
    expect(XML_LIMITS.attributes).toBeGreaterThan(1500 * 27);
  });
});
