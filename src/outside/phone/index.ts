// The phone check (`plex-diagnose outside-check`): a one-shot listener a phone on mobile data visits.
export { runOutsideCheck, DEFAULT_PHONE_TIMEOUT_MS } from './run.js';
export type { OutsideCheckOptions } from './run.js';
export { PhoneCheckResult, PhoneVisitSource } from './result.js';
export { startPhoneListener, LISTENER_LIMITS } from './listener.js';
export type { PhoneListener, PhoneListenerOptions, PhoneVisit } from './listener.js';
export { sourceClassifier, normalizeAddress } from './source.js';
export type { ClassifySource, VisitSource, VisitSourceKind } from './source.js';
export { renderQr, qrMatrix, terminalIsUtf8, QUIET_ZONE } from './qr.js';
export { makeNonce, targetHasNonce } from './nonce.js';
export { cleanupStaleMappings } from './cleanup.js';
export { phoneJournalPath, PhoneJournal } from './journal.js';
