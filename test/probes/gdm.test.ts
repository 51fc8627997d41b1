import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { discoverGdm, GdmDiscovery, parseGdmReply } from '../../src/probes/gdm.js';
import {
  GDM_DOCSTRING_SERVER,
  renderGdmReply,
  startFakeGdm,
  type FakeGdm,
  type FakeGdmOptions,
} from '../../src/testing/fake-gdm.js';

const open: FakeGdm[] = [];
async function fake(options: FakeGdmOptions): Promise<FakeGdm> {
  const gdm = await startFakeGdm(options);
  open.push(gdm);
  return gdm;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((gdm) => gdm.close()));
});

const SECOND = {
  machineIdentifier: 'b2'.repeat(20),
  name: 'basement',
  port: 32401,
  version: '1.41.3.9314-a0bfb8370',
  updatedAt: 1732000000,
  host: 'aa'.repeat(16) + '.plex.direct',
};
const CLIENT = {
  machineIdentifier: 'b6e57a3f-e0f8-494f-8884-f4b58501467e',
  name: 'plexamp',
  port: 36000,
  contentType: 'plex/media-player',
};

describe('parseGdmReply', () => {
  it('reads the fields of the python-plexapi docstring server', () => {
    expect(parseGdmReply(renderGdmReply(GDM_DOCSTRING_SERVER))).toEqual({
      machineIdentifier: '646ab0aa8a01c543e94ba975f6fd6efadc36b7',
      name: 'myfirstplexserver',
      port: 32400,
      version: '1.18.8.2527-740d4c206',
      updatedAt: '2020-04-01T19:39:06.000Z',
      host: '53f4b5b6023d41182fe88a99b0e714ba.plex.direct',
      contentType: 'plex/media-server',
    });
  });

  it('agrees with every server field in the shared payload capture', () => {
    const capture = readFileSync(
      new URL('../fixtures/gdm/gdm-parsed-entries__python-plexapi-gdm-docstring.txt', import.meta.url),
      'utf8',
    );
    const server = capture.slice(0, capture.indexOf('Clients:'));
    const field = (name: string): string | undefined => new RegExp(`'${name}': '([^']*)'`).exec(server)?.[1];
    const parsed = parseGdmReply(renderGdmReply(GDM_DOCSTRING_SERVER));
    expect(parsed?.machineIdentifier).toBe(field('Resource-Identifier'));
    expect(parsed?.name).toBe(field('Name'));
    expect(String(parsed?.port)).toBe(field('Port'));
    expect(parsed?.version).toBe(field('Version'));
    expect(parsed?.host).toBe(field('Host'));
    expect(parsed?.contentType).toBe(field('Content-Type'));
  });

  it('ignores clients, non-200 replies, junk, and replies without an identifier', () => {
    expect(parseGdmReply(renderGdmReply({ ...CLIENT }))).toBeUndefined();
    expect(
      parseGdmReply('HTTP/1.0 404 Not Found\r\nContent-Type: plex/media-server\r\nResource-Identifier: x\r\n'),
    ).toBeUndefined();
    expect(parseGdmReply('M-SEARCH * HTTP/1.0\r\n\r\n')).toBeUndefined();
    expect(parseGdmReply(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBeUndefined();
    expect(parseGdmReply('HTTP/1.0 200 OK\r\nContent-Type: plex/media-server\r\nName: x\r\n')).toBeUndefined();
  });

  it('tolerates LF line ends, odd case and missing optional fields', () => {
    expect(
      parseGdmReply('HTTP/1.0 200 OK\ncontent-type: Plex/Media-Server\nRESOURCE-IDENTIFIER: abc\nPort: nope\n'),
    ).toEqual({ machineIdentifier: 'abc', contentType: 'Plex/Media-Server' });
  });

  it('never throws, whatever the bytes (property)', () => {
    const line = fc.oneof(
      fc.constantFrom(
        'Content-Type: plex/media-server',
        'Resource-Identifier: x',
        'Port: 99999',
        'Updated-At: -1',
        'Updated-At: 1e99',
        'Name:',
      ),
      fc.string({ maxLength: 60 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 400 }),
          fc.uint8Array({ maxLength: 400 }),
          fc.array(line, { maxLength: 10 }).map((l) => ['HTTP/1.0 200 OK', ...l].join('\r\n')),
        ),
        (input) => {
          const reply = parseGdmReply(typeof input === 'string' ? input : Buffer.from(input));
          if (reply) expect(reply.machineIdentifier.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('discoverGdm against fake responders', () => {
  it('collects several servers, merges duplicates by machineIdentifier, ignores clients and garbage', async () => {
    const first = await fake({
      servers: [GDM_DOCSTRING_SERVER, SECOND, CLIENT],
      extraReplies: ['garbage', Buffer.from([0, 1, 2]), 'HTTP/1.0 200 OK\r\nContent-Ty'],
      repeat: 2,
    });
    // A second responder announcing the same server again (as a host-networked container or a second NIC would).
    const second = await fake({ servers: [GDM_DOCSTRING_SERVER] });
    const result = await discoverGdm({
      targets: [
        { address: '127.0.0.1', port: first.port },
        { address: '127.0.0.1', port: second.port },
      ],
      timeoutMs: 300,
    });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(GdmDiscovery.parse(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
    expect(result.value.servers.map((s) => s.machineIdentifier).sort()).toEqual(
      [GDM_DOCSTRING_SERVER.machineIdentifier, SECOND.machineIdentifier].sort(),
    );
    const docstring = result.value.servers.find((s) => s.name === 'myfirstplexserver');
    expect(docstring).toMatchObject({
      address: '127.0.0.1',
      addresses: ['127.0.0.1'],
      port: 32400,
      contentType: 'plex/media-server',
    });
    expect(result.value.ignoredReplies).toBeGreaterThanOrEqual(4 * 2);
    expect(result.value.sendErrors).toEqual([]);
    expect(result.value.targets).toEqual([`127.0.0.1:${first.port}`, `127.0.0.1:${second.port}`]);
    expect(first.searches).toBeGreaterThanOrEqual(1);
  });

  it('an empty list is ok: no server answered', async () => {
    const silent = await fake({ servers: [] });
    const result = await discoverGdm({ targets: [{ address: '127.0.0.1', port: silent.port }], timeoutMs: 200 });
    expect(result).toMatchObject({ status: 'ok', value: { servers: [], ignoredReplies: 0 } });
    expect(silent.searches).toBeGreaterThanOrEqual(1);
    expect(result.durationMs).toBeLessThan(200 * 5);
  });

  it('only garbage is still ok, with the junk counted', async () => {
    const junk = await fake({ servers: [], extraReplies: ['HTTP/1.0 200 OK\r\n\r\n', '\u0000\u0001'] });
    const result = await discoverGdm({ targets: [{ address: '127.0.0.1', port: junk.port }], timeoutMs: 200 });
    expect(result).toMatchObject({ status: 'ok', value: { servers: [] } });
    if (result.status === 'ok') expect(result.value.ignoredReplies).toBeGreaterThanOrEqual(2);
  });

  it('fails in the request phase when no target can be sent to, and records partial send errors', async () => {
    const none = await discoverGdm({ targets: [{ address: '127.0.0.1', port: 0 }], timeoutMs: 200 });
    expect(none).toMatchObject({ status: 'failed', error: { phase: 'request' } });
    const gdm = await fake({ servers: [SECOND] });
    const partial = await discoverGdm({
      targets: [
        { address: '127.0.0.1', port: 0 },
        { address: '127.0.0.1', port: gdm.port },
      ],
      timeoutMs: 200,
    });
    expect(partial).toMatchObject({
      status: 'ok',
      value: { servers: [{ name: 'basement' }], sendErrors: [{ target: '127.0.0.1:0' }] },
    });
  });

  it('fails EABORTED on abort', async () => {
    const gdm = await fake({ servers: [] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const result = await discoverGdm({
      targets: [{ address: '127.0.0.1', port: gdm.port }],
      timeoutMs: 5000,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EABORTED' } });
  });
});
