// The status page of `watch --serve`: live state, history, metrics and the HTTP server. Only src/cli imports it.
export { parseListenAddress, isLoopbackHost } from './listen-address.js';
export type { ListenAddress } from './listen-address.js';
export { readServeAuth, parseServeAuth, isAuthorized, authSecrets } from './serve-auth.js';
export type { ServeAuth } from './serve-auth.js';
export { createLiveState } from './live-state.js';
export type { LiveState, LiveRun, LiveStateOptions } from './live-state.js';
export { startStatusServer, SECURITY_HEADERS } from './status-server.js';
export type { StatusServer, StatusServerOptions } from './status-server.js';
export { openHistoryStore, DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_BYTES } from './history/store.js';
export type { HistoryRow, HistoryStore, HistoryStoreOptions, Timeline } from './history/store.js';
export { HistoryError } from './history/open-database.js';
export type { HistoryProblem } from './history/open-database.js';
export { bandOf, recordOf } from './run-record.js';
export type { RunBand, RunRecord } from './run-record.js';
