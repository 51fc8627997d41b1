/**
 * Private state files (the fix undo journal, the experiment's restore journal): a 0700 directory, 0600 files and
 * atomic writes (temp file + fsync + rename), so a crash never leaves half a journal and nobody else can read it.
 * The CLI config file (src/this-host/config-file.ts) is written with the same helpers.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface PrivateFileOptions {
  /** Decides whether POSIX modes are applied (they mean little on Windows, where ACLs govern). @default process.platform */
  platform?: NodeJS.Platform;
}

/** Creates the directory 0700, or tightens an existing one that is group/world accessible. */
export async function ensurePrivateDir(dir: string, options: PrivateFileOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  if ((options.platform ?? process.platform) === 'win32') return;
  const current = await stat(dir);
  if ((current.mode & 0o777) !== DIR_MODE) await chmod(dir, DIR_MODE);
}

/** Writes `text` to `file` atomically with mode 0600, creating its directory 0700 when needed. */
export async function writePrivateFile(file: string, text: string, options: PrivateFileOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  await ensurePrivateDir(dirname(file), options);
  const temp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  // 'wx': never follow or reuse an existing file at the temp name; the mode applies from creation.
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (platform !== 'win32') await chmod(temp, FILE_MODE); // the umask can only narrow; this makes it exact
    await rename(temp, file);
  } catch (error) {
    // A full disk fails the write, a read-only target the rename: either way no `.tmp` is left behind.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export type ReadPrivateFileResult =
  { status: 'missing' } | { status: 'read'; text: string } | { status: 'unreadable'; causeCode: string };

/** Reads a state file; a missing file (or directory) is a result, not an error. */
export async function readPrivateFile(file: string): Promise<ReadPrivateFileResult> {
  try {
    return { status: 'read', text: await readFile(file, 'utf8') };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    return { status: 'unreadable', causeCode: typeof code === 'string' ? code : 'EUNKNOWN' };
  }
}

/** Removes a file; a file that is already gone is fine. */
export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
  }
}
