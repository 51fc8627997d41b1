// `plex-diagnose/watch`: watch mode's building blocks. The loop (`runWatch`), the debounced alert tracker, webhook
// notifiers (Discord, Slack, ntfy or plain JSON, detected from the URL) and alert commands. Every export is named
// here; the retry/sleep helpers under them are internal.
export {
  Alert,
  AlertForward,
  ForwardCauseKey,
  AlertCause,
  AlertKind,
  AlertTarget,
  CauseKey,
  RunError,
  WatchState,
  WatchStatus,
} from './alert.js';
export { createAlertTracker, outcomeState } from './tracker.js';
export type { AlertTracker, AlertTrackerOptions, PendingState, RunOutcome } from './tracker.js';
export { runWatch } from './run-watch.js';
export type { RunWatchOptions, WatchResult, WatchRunInfo } from './run-watch.js';
export { parseInterval, MIN_INTERVAL_MS, MAX_INTERVAL_MS } from './interval.js';
export { sendAlert } from './notify.js';
export type { SendAlertOptions, SendAlertResult } from './notify.js';
export { detectFormat, buildPayload } from './notify-format.js';
export type { NotifyFormat, NotifyPayload } from './notify-format.js';
export { runAlertCommand, alertEnvironment } from './exec.js';
export type { AlertCommandResult, RunAlertCommandOptions } from './exec.js';
export { createForwardWatch } from './forward-watch.js';
export type { ForwardWatch, ForwardWatchOptions } from './forward-watch.js';
export { MAX_FORWARDS } from './forward-tracker.js';
export type { ForwardRow, ForwardTrackerOptions } from './forward-tracker.js';
export type { ForwardSpec } from './forward-evidence.js';
