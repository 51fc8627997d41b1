import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import {
  parseProcNetTcp,
  probeHostListen,
  procHexAddress,
  readListeningSockets,
} from '../../../src/probes/host/listen.js';

const fixture = (name: string) => readFile(join(__dirname, '../../fixtures/host-listen', name), 'utf8');

describe('parseProcNetTcp (captured from a namespace, test/fixtures/host-listen/capture.sh)', () => {
  it('reads IPv4 listeners, little-endian words, ports in hex', async () => {
    expect(withoutInodes(parseProcNetTcp(await fixture('tcp.txt'), 'LE'))).toEqual([
      { address: '192.168.1.10', family: 4, port: 32403, scope: 'address' },
      { address: '127.0.0.1', family: 4, port: 32401, scope: 'loopback' },
      { address: '0.0.0.0', family: 4, port: 32400, scope: 'all' },
    ]);
  });

  it('reads IPv6 listeners word by word, and a v4-mapped address as the IPv4 address it answers on', async () => {
    expect(withoutInodes(parseProcNetTcp(await fixture('tcp6.txt'), 'LE'))).toEqual([
      { address: '2001:db8::10', family: 6, port: 32406, scope: 'address' },
      { address: '127.0.0.1', family: 6, port: 32405, scope: 'loopback' },
      { address: '::', family: 6, port: 32404, scope: 'all' },
      { address: '::1', family: 6, port: 32402, scope: 'loopback' },
    ]);
  });

  it('reads big-endian hosts too (the words are then printed in network order)', () => {
    expect(procHexAddress('C0A8010A', 'BE').toString()).toBe('192.168.1.10');
    expect(procHexAddress('20010DB8000000000000000000000010', 'BE').toString()).toBe('2001:db8::10');
  });

  it('skips non-listening and malformed lines', () => {
    const text = [
      '  sl  local_address rem_address   st',
      '   0: 0100007F:ACE7 0100007F:A92A 01 00000000:00000000',
      '   1: zz:7E90 00000000:0000 0A',
      '   2: 0100007F 00000000:0000 0A',
      '   3:',
      '',
    ].join('\n');
    expect(parseProcNetTcp(text, 'LE')).toEqual([]);
  });
});

describe('readListeningSockets', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('reads both files under a root, and notes a missing tcp6 (IPv6 disabled)', async () => {
    root = await mkdtemp(join(tmpdir(), 'pd-listen-'));
    await mkdir(join(root, 'proc/net'), { recursive: true });
    await writeFile(join(root, 'proc/net/tcp'), await fixture('tcp.txt'));
    const reading = await readListeningSockets(root);
    expect(reading.sockets.map((s) => s.port).sort()).toEqual([32400, 32401, 32403]);
    expect(reading.notes).toEqual(['/proc/net/tcp6: ENOENT']);
  });

  it('throws when neither file can be read', async () => {
    root = await mkdtemp(join(tmpdir(), 'pd-listen-'));
    await expect(readListeningSockets(root)).rejects.toThrow(/could not be read/);
  });
});

describe('probeHostListen with a port: the program holding it', () => {
  it('names this very process as the owner of a socket it listens on (real /proc)', async ({ skip }) => {
    if (process.platform !== 'linux') skip();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const result = await probeHostListen({ port });
      expect(result.checked).toBe(true);
      if (!result.checked) return;
      expect(result.value.sockets).toHaveLength(1);
      expect(result.value.sockets[0]).toMatchObject({ address: '127.0.0.1', port, scope: 'loopback' });
      const comm = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
      expect(result.value.sockets[0]!.owner).toBe(comm);
    } finally {
      server.close();
    }
  });
});

/** The inode ties a socket to its process (probeHostListen's owner); the address tests compare the rest. */
function withoutInodes(sockets: ReturnType<typeof parseProcNetTcp>): Omit<(typeof sockets)[number], 'inode'>[] {
  return sockets.map((socket) => {
    expect(socket.inode).toBeGreaterThan(0);
    const { inode: _inode, ...rest } = socket;
    return rest;
  });
}
