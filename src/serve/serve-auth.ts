/**
 * `--serve-auth FILE`: what a request must carry when the page listens beyond loopback. The file's first line is
 * either `user:password` (HTTP Basic) or a bare token (sent as `Authorization: Bearer <token>`, or as the password of
 * Basic auth with any user name, so a browser can use it too). Compared in constant time; the file's content is never
 * echoed in an error.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';

export type ServeAuth = { kind: 'basic'; user: string; password: string } | { kind: 'token'; token: string };

const MIN_SECRET = 12;
const MAX_FILE = 4096;

export function parseServeAuth(text: string, file: string): ServeAuth {
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  const colon = line.indexOf(':');
  if (colon > 0) {
    const user = line.slice(0, colon);
    const password = line.slice(colon + 1);
    if (password.length < MIN_SECRET)
      throw new UsageError(`--serve-auth ${file}: the password must be at least ${MIN_SECRET} characters`);
    return { kind: 'basic', user, password };
  }
  if (line.length < MIN_SECRET || /\s/.test(line))
    throw new UsageError(
      `--serve-auth ${file}: expected "user:password" or a token of at least ${MIN_SECRET} characters on the first line`,
    );
  return { kind: 'token', token: line };
}

export async function readServeAuth(file: string): Promise<ServeAuth> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_FILE) throw new UsageError(`--serve-auth ${file} is larger than ${MAX_FILE} bytes`);
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--serve-auth ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseServeAuth(text, file);
}

/** Equal in constant time, whatever the lengths (hashing first makes them equal length). */
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The secrets of an auth config, to scrub from everything served and logged. */
export function authSecrets(auth: ServeAuth | undefined): string[] {
  if (!auth) return [];
  return auth.kind === 'basic' ? [auth.password] : [auth.token];
}

export function isAuthorized(auth: ServeAuth, header: string | undefined): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (auth.kind === 'token' && scheme?.toLowerCase() === 'bearer') return same(value, auth.token);
  if (scheme?.toLowerCase() !== 'basic' || value.length > 1024) return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (auth.kind === 'token') return same(password, auth.token);
  // Both compared, always, so the time does not tell which one was wrong.
  const userOk = same(user, auth.user);
  const passwordOk = same(password, auth.password);
  return userOk && passwordOk;
}
