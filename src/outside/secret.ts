/**
 * Where the shared secret comes from: a file (first line, trailing newline dropped) or an environment variable, never
 * a command-line argument (visible to every user in `ps`). A file others can read is reported, not refused.
 */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { secretProblem } from './signing.js';

export const SECRET_ENV = 'PLEX_DIAGNOSE_REFLECTOR_SECRET';
/** A secret file is one line; anything longer is not a secret file. */
const MAX_SECRET_FILE_BYTES = 4096;

export interface LoadedSecret {
  secret: string;
  /** Set when the file is readable by group or others. */
  warning?: string;
}

export async function loadSecret(
  source: { file?: string | undefined; env?: string | undefined },
  flag: string,
): Promise<LoadedSecret> {
  if (source.file !== undefined) {
    let text: string;
    let warning: string | undefined;
    try {
      const info = await stat(source.file);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      if (info.size > MAX_SECRET_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
        warning = `${flag} ${source.file} is readable by other users (chmod 600 it)`;
      text = await readFile(source.file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${flag} ${source.file} (${(error as { code?: string }).code ?? 'unreadable'})`);
    }
    const secret = text.replace(/\r?\n$/, '');
    const problem = secretProblem(secret);
    if (problem) throw new UsageError(`${flag} ${source.file}: ${problem}`);
    return { secret, ...(warning ? { warning } : {}) };
  }
  if (source.env !== undefined && source.env !== '') {
    const problem = secretProblem(source.env);
    if (problem) throw new UsageError(`${SECRET_ENV}: ${problem}`);
    return { secret: source.env };
  }
  throw new UsageError(`a shared secret is needed: ${flag} FILE or the ${SECRET_ENV} environment variable`);
}
