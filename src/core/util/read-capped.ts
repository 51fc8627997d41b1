/**
 * Reading a whole file or stream into memory with a byte cap that holds whatever the source is. `readFile` trusts the
 * size a file reports: /dev/zero, /dev/urandom, a FIFO or a /proc file report 0 or nothing and then never end, and a
 * path the user typed can be any of them (`analyze /dev/zero` grew to 1.8 GB in 10 s). Here the count is kept while
 * reading, the read stops one chunk past the cap, and an abort signal ends it at once, even while blocked.
 */
import { close as closeCallback, constants, createReadStream, fstat as fstatCallback, open } from 'node:fs';
import { Socket } from 'node:net';
import { promisify } from 'node:util';

export type CappedRead = { status: 'read'; buffer: Buffer } | { status: 'too-large'; maxBytes: number };

export interface ReadCappedOptions {
  /** More than this many bytes is 'too-large' (only one chunk past it is ever held). */
  maxBytes: number;
  /** Ends the read (it rejects with the signal's reason), also while open() or read() blocks. */
  signal?: AbortSignal;
}

/** Reads a stream to its end, or until it passes the cap, or until the signal fires (rejects with its reason). */
export function readStreamCapped(stream: NodeJS.ReadableStream, options: ReadCappedOptions): Promise<CappedRead> {
  const { maxBytes, signal } = options;
  return new Promise<CappedRead>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const stop = (): void => {
      cleanup();
      // Stops the source from reading further (a FIFO writer then sees EPIPE); stdin is paused rather than closed.
      const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
      if (stream === process.stdin) stream.pause();
      else destroyable.destroy?.();
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        stop();
        resolve({ status: 'too-large', maxBytes });
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ status: 'read', buffer: Buffer.concat(chunks) });
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onAbort = (): void => {
      stop();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/**
 * A file of any type (regular, device, FIFO, /proc) read with the cap. I/O errors reject with the fs error (its
 * `code`: ENOENT, EISDIR, EACCES...). A FIFO is opened without blocking (O_NONBLOCK) and read as a pipe on the event
 * loop: a blocking open() would wait for a writer inside libuv's thread pool, where no signal can reach it and
 * process.exit was seen to hang behind it. As a pipe it still waits for its writer (epoll reports nothing until one
 * writes or leaves), but the wait is an idle handle that the signal closes.
 */
export async function readFileCapped(path: string, options: ReadCappedOptions): Promise<CappedRead> {
  const fd = await openNonBlocking(path);
  let isFifo: boolean;
  try {
    isFifo = (await fstat(fd)).isFIFO();
  } catch (error) {
    await close(fd).catch(() => undefined);
    throw error;
  }
  if (isFifo) return readStreamCapped(new Socket({ fd, readable: true, writable: false }), options);
  // Anything else is read as a file: O_NONBLOCK would make a terminal device answer EAGAIN instead of waiting.
  await close(fd);
  return readStreamCapped(createReadStream(path, { highWaterMark: 1024 * 1024 }), options);
}

function openNonBlocking(path: string): Promise<number> {
  return promisify(open)(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

const fstat = promisify(fstatCallback);
const close = promisify(closeCallback);
