/**
 * The owner scan of probeHostListen (issue 17: it was a 1.5-4 s wait in every lab run on the server's host): only
 * processes in this network namespace are scanned (a socket of this namespace's /proc/net/tcp cannot be held by
 * another's), and the synchronous reads never block on a FIFO planted under a test's fsRoot.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHostListen } from '../../../src/probes/host/listen.js';

const OWN_NET = 'net:[4026531840]';
const INODE_32400 = 988367;
let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

/** `comm: 'fifo'` plants a FIFO instead of the file. */
async function procTree(processes: { pid: number; net: string; comm: string; holds: boolean }[]) {
  root = await mkdtemp(join(tmpdir(), 'pd-listen-owner-'));
  await mkdir(join(root, 'proc/net'), { recursive: true });
  await writeFile(
    join(root, 'proc/net/tcp'),
    await readFile(join(__dirname, '../../fixtures/host-listen/tcp.txt'), 'utf8'),
  );
  await mkdir(join(root, 'proc/self/ns'), { recursive: true });
  await symlink(OWN_NET, join(root, 'proc/self/ns/net'));
  for (const p of processes) {
    const dir = join(root, 'proc', String(p.pid));
    await mkdir(join(dir, 'ns'), { recursive: true });
    await mkdir(join(dir, 'fd'), { recursive: true });
    await symlink(p.net, join(dir, 'ns/net'));
    await symlink(p.holds ? `socket:[${INODE_32400}]` : 'socket:[1]', join(dir, 'fd/3'));
    if (p.comm === 'fifo') execFileSync('mkfifo', [join(dir, 'comm')]);
    else await writeFile(join(dir, 'comm'), `${p.comm}\n`);
  }
  return root;
}

const ownerOf32400 = async (fsRoot: string) => {
  const result = await probeHostListen({ port: 32400, fsRoot, platform: 'linux' });
  expect(result.checked).toBe(true);
  return result.checked ? result.value.sockets.map((s) => s.owner) : undefined;
};

describe('probeHostListen owner scan', () => {
  it('does not take a process of another network namespace for the owner', async () => {
    const fsRoot = await procTree([{ pid: 10, net: 'net:[999]', comm: 'intruder', holds: true }]);
    expect(await ownerOf32400(fsRoot)).toEqual([undefined]);
  });

  it('names the process in this namespace that holds the socket', async () => {
    const fsRoot = await procTree([
      { pid: 10, net: 'net:[999]', comm: 'intruder', holds: true },
      { pid: 20, net: OWN_NET, comm: 'Plex Media Serv', holds: true },
    ]);
    expect(await ownerOf32400(fsRoot)).toEqual(['Plex Media Serv']);
  });

  it('a FIFO where comm should be: no owner, and no hang', async () => {
    const fsRoot = await procTree([{ pid: 20, net: OWN_NET, comm: 'fifo', holds: true }]);
    expect(await ownerOf32400(fsRoot)).toEqual([undefined]);
  });
});
