/**
 * Why `applyFix` / `undoFix` stopped. `reason` is the stable, machine-readable discriminator; `code` follows the
 * house codes so the CLI's exit-code mapping keeps working: PLEXDIAG_USAGE (exit 2) for problems with the journal or
 * the target, and the underlying client error's code (PLEXDIAG_HTTP, PLEXDIAG_AUTH, PLEXDIAG_NETWORK, ...) when the
 * server refused or could not be reached. Messages name the journal path, never its content or the token.
 */
import { isPlexDiagnoseError, PlexDiagnoseError, type ErrorCode } from '../core/errors.js';

/**
 * no-journal: nothing was ever applied here; nothing-to-undo: the last fix was already undone; malformed-journal:
 * the journal is not JSON or not a journal; other-server: the journal (or plan) belongs to another machineIdentifier;
 * server-refused: PMS said no, or could not be reached, while reading or writing prefs; untrusted-journal: the journal
 * names a pref `fix` never changes, or its seal does not match (edited, or written with another token);
 * journal-unwritable: the journal could not be written, so nothing was changed; busy: another fix holds the journal's
 * lock (a concurrent run against the same server), so nothing was changed.
 */
export type FixErrorReason =
  | 'no-journal'
  | 'nothing-to-undo'
  | 'malformed-journal'
  | 'untrusted-journal'
  | 'journal-unwritable'
  | 'busy'
  | 'other-server'
  | 'server-refused';

export class FixError extends PlexDiagnoseError {
  override name = 'FixError';
  readonly reason: FixErrorReason;
  /** The journal concerned, when there is one. */
  readonly journalPath: string | undefined;

  constructor(
    message: string,
    details: { reason: FixErrorReason; journalPath?: string; cause?: unknown; secrets?: readonly string[] },
  ) {
    super(codeFor(details.reason, details.cause), message, { cause: details.cause, secrets: details.secrets });
    this.reason = details.reason;
    this.journalPath = details.journalPath;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, journalPath: this.journalPath };
  }
}

function codeFor(reason: FixErrorReason, cause: unknown): ErrorCode {
  if (reason !== 'server-refused') return 'PLEXDIAG_USAGE';
  return isPlexDiagnoseError(cause) ? cause.code : 'PLEXDIAG_HTTP';
}

// Checks `name` as well as instanceof: two copies of the package (ESM + CJS) do not share classes.
export const isFixError = (error: unknown): error is FixError =>
  error instanceof FixError ||
  (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'FixError');
