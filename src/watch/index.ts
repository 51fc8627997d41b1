// Watch mode: debounced alerts, the watch loop, webhook notifiers and alert commands. Re-exported by src/index.ts.
export { Alert, AlertCause, AlertKind, AlertTarget, CauseKey, RunError, WatchState, WatchStatus } from './alert.js';
export { createAlertTracker, outcomeState } from './tracker.js';
export type { AlertTracker, AlertTrackerOptions, PendingState, RunOutcome } from './tracker.js';
export { runWatch } from './run-watch.js';
export type { RunWatchOptions, WatchResult, WatchRunInfo } from './run-watch.js';
export { abortableSleep } from '../core/util/sleep.js';
export { parseInterval, parseDuration, MIN_INTERVAL_MS, MAX_INTERVAL_MS } from './interval.js';
export { sendAlert, parseRetryAfter } from './notify.js';
export type { SendAlertOptions, SendAlertResult } from './notify.js';
export { detectFormat, buildPayload } from './notify-format.js';
export type { NotifyFormat, NotifyPayload } from './notify-format.js';
export { runAlertCommand, alertEnvironment } from './exec.js';
export type { AlertCommandResult, RunAlertCommandOptions } from './exec.js';
