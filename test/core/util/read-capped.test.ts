import { spawnSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileCapped } from '../../../src/core/util/read-capped.js';

const hasMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-read-capped-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

describe('readFileCapped', () => {
  it('reads a regular file whole, and stops one chunk past the cap', async () => {
    const small = join(dir, 'small.json');
    writeFileSync(small, '{"a":1}');
    const read = await readFileCapped(small, { maxBytes: 100 });
    expect(read.status === 'read' && read.buffer.toString()).toBe('{"a":1}');
    expect(await readFileCapped(small, { maxBytes: 3 })).toEqual({ status: 'too-large', maxBytes: 3 });
  });

  it('a device that never ends (/dev/zero) ends at the cap', async () => {
    expect(await readFileCapped('/dev/zero', { maxBytes: 4 * 1024 * 1024 })).toEqual({
      status: 'too-large',
      maxBytes: 4 * 1024 * 1024,
    });
  });

  it('rejects with the fs error code for a missing path and for a directory', async () => {
    await expect(readFileCapped(join(dir, 'missing'), { maxBytes: 10 })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFileCapped(dir, { maxBytes: 10 })).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it.runIf(hasMkfifo)('a FIFO whose writer comes later is waited for and read to its end', async () => {
    const path = fifo('late-writer.fifo');
    const reading = readFileCapped(path, { maxBytes: 1024 });
    // The writer opens only after the reader holds the FIFO: the read must not have ended on "no writer yet".
    await new Promise((resolve) => setTimeout(resolve, 50));
    const writer = createWriteStream(path);
    writer.end('{"late":true}');
    const read = await reading;
    expect(read.status === 'read' && read.buffer.toString()).toBe('{"late":true}');
  });

  it.runIf(hasMkfifo)(
    'a FIFO nobody writes to: the signal ends the wait (no thread stays blocked in open)',
    async () => {
      const path = fifo('silent.fifo');
      const controller = new AbortController();
      const reading = readFileCapped(path, { maxBytes: 1024, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stopped by the test')), 20);
      await expect(reading).rejects.toThrow('stopped by the test');
    },
  );

  it.runIf(hasMkfifo)('a FIFO whose writer never stops ends at the cap', async () => {
    const path = fifo('endless.fifo');
    const reading = readFileCapped(path, { maxBytes: 256 * 1024 });
    const writer = createWriteStream(path);
    const block = Buffer.alloc(64 * 1024, 0x20);
    const feed = (): void => {
      while (!writer.destroyed && writer.write(block));
      if (!writer.destroyed) writer.once('drain', feed);
    };
    writer.on('error', () => undefined); // EPIPE once the reader stopped: expected
    feed();
    expect(await reading).toEqual({ status: 'too-large', maxBytes: 256 * 1024 });
    writer.destroy();
  });
});
