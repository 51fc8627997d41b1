/**
 * `watch --serve`: the status page beside the watch loop. Flags are checked before anything runs (a non-loopback
 * address without --serve-auth is a usage error); the history opens lazily and, when it cannot (no native module,
 * corrupt or locked file), the watch goes on with live state only and says so once.
 */
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { redactReport } from '../core/redact-values.js';
import { redactText } from '../core/redact.js';
import { configDir } from '../this-host/config-file.js';
import type { Alert } from '../watch/alert.js';
import type { WatchRunInfo } from '../watch/run-watch.js';
import type { ForwardRow } from '../watch/forward-tracker.js';
import {
  createLiveState,
  HistoryError,
  isLoopbackHost,
  openHistoryStore,
  parseListenAddress,
  readServeAuth,
  startStatusServer,
  type HistoryStore,
  type LiveState,
  type ListenAddress,
  type ServeAuth,
} from '../serve/index.js';
import type { CommandContext } from './command-context.js';

export const HISTORY_FILE_NAME = 'watch-history.sqlite';

export interface ServePlan {
  listen: ListenAddress;
  auth: ServeAuth | undefined;
  authFile: string | undefined;
  historyPath: string;
}

/** Reads and checks the serve flags; undefined without --serve. */
export async function planServe(
  values: CommandContext['values'],
  env: NodeJS.ProcessEnv,
): Promise<ServePlan | undefined> {
  const serve = typeof values.serve === 'string' ? values.serve : undefined;
  const authFile = typeof values['serve-auth'] === 'string' ? values['serve-auth'] : undefined;
  const history = typeof values.history === 'string' ? values.history : undefined;
  if (!serve) {
    if (authFile || history) throw new UsageError(`--${authFile ? 'serve-auth' : 'history'} needs --serve [HOST:]PORT`);
    return undefined;
  }
  const listen = parseListenAddress(serve);
  if (!isLoopbackHost(listen.host) && !authFile)
    throw new UsageError(
      `--serve ${serve} listens beyond this machine: add --serve-auth FILE (a token or user:password on its first line)`,
    );
  const auth = authFile ? await readServeAuth(authFile) : undefined;
  return { listen, auth, authFile, historyPath: history ?? join(configDir({ env }), HISTORY_FILE_NAME) };
}

export interface ServeSession {
  onRun(info: WatchRunInfo, runMs: number, forwards?: readonly ForwardRow[]): void;
  onAlert(alert: Alert): void;
  close(): Promise<void>;
}

export async function startServeSession(
  plan: ServePlan,
  output: CommandContext['output'],
  intervalMs: number,
): Promise<ServeSession> {
  let history: HistoryStore | undefined;
  let note: string | undefined;
  // Declared before the history opens: a failure later (disk full, a lock) reaches the page through it.
  let state: LiveState | undefined;
  const say = (error: HistoryError): void => {
    note = `${error.message}; showing live state only`;
    output.err(`${note}\n`);
    state?.setHistoryNote(note);
  };
  try {
    history = await openHistoryStore({ path: plan.historyPath, onProblem: say });
  } catch (error) {
    if (!(error instanceof HistoryError)) throw error;
    say(error);
  }
  state = createLiveState({
    intervalMs,
    ...(history ? { history } : {}),
    ...(note ? { historyNote: note } : {}),
  });
  const live = state;
  const server = await startStatusServer({
    state: live,
    listen: plan.listen,
    auth: plan.auth,
    secrets: output.secrets,
  }).catch((error: unknown) => {
    history?.close();
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`--serve ${plan.listen.host}:${plan.listen.port}: cannot listen there (${code})`);
  });
  const access = plan.auth
    ? `${plan.auth.kind === 'basic' ? 'basic auth' : 'token'} from ${plan.authFile} required`
    : 'loopback only, no auth';
  output.err(`status page on ${server.url}/ (${access}); history ${history ? `in ${plan.historyPath}` : 'off'}\n`);
  return {
    onRun(info, runMs, forwards) {
      if (forwards) live.setForwards(forwards);
      const report = info.report ? redactReport(info.report, { secrets: output.secrets }) : undefined;
      const error = info.error === undefined ? undefined : redactText(errorLine(info.error), output.secrets);
      live.addRun(info.at, report, error, runMs);
    },
    onAlert: (alert) => live.addAlert(alert),
    async close() {
      await server.close();
      history?.close();
    },
  };
}

function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
