/**
 * `plex-diagnose`: the root entry. What a tool author needs to diagnose a server, write rules and collectors, and
 * render or redact the result. Every export is named here; anything not listed is internal and may change. The surface
 * is tracked in api/plex-diagnose.api.md (`npm run api:check` in CI): growing it is a reviewed decision, and the root
 * stays at 80 names or fewer (runtime values and types counted; test/api-surface.test.ts counts them).
 *
 * Deliberately NOT at the root, and where it lives:
 * - The Plex Media Server and plex.tv clients, their schemas and value sets, and the bounded HTTP transport under them
 *   (`httpRequest`): `plex-diagnose/clients`. Their error classes are here, at the root.
 * - Every probe (TCP, identity, plex.direct DNS, UPnP IGD, NAT-PMP, GDM, this host's interfaces and routes), their
 *   value schemas, `ProbeResult`, the replaceable `ProbeSet`, `NetworkOptions` (where LAN probes send) and the address
 *   helpers (`classifyAddress`, `parsePlexDirectName`, ...): `plex-diagnose/probes`.
 * - Token discovery, the server's own Preferences, the config directory and the client identifier:
 *   `plex-diagnose/this-host`.
 * - Watch mode (alert tracker, notifiers, alert commands): `plex-diagnose/watch`.
 * - `fix` (plan, apply, undo journal): `plex-diagnose/fix`.
 * - The opt-in alternate-port experiment: `plex-diagnose/experiments`.
 * - Loopback fakes, scenario presets and rule-test helpers: `plex-diagnose/testing`.
 * - Internal on purpose: SSDP/SOAP/NAT-PMP/GDM packet parsers, lease and timeout constants (their values are in the
 *   TSDoc `@default` of the option they default), journal file paths, schema version numbers (read `schemaVersion` of
 *   a snapshot or report), the markdown path diagram on its own (it is part of `formatMarkdown`), the IP anonymiser
 *   (`redactReport(report, { ips: true, key })` uses it), the observation value schemas of built-in collectors (their
 *   types are `ObservationValues[id]`, their schemas `builtinCollectors[i].schema`).
 */
export { VERSION } from './core/version.js';

// The diagnosis: collect → snapshot → analyze → report.
export { diagnose, analyze, readSnapshot } from './diagnose/diagnose.js';
export type { DiagnoseOptions, AnalyzeOptions } from './diagnose/diagnose.js';
export { diagnoseMany } from './diagnose/diagnose-many.js';
export type { DiagnoseManyOptions, DiagnoseManyResult, DiagnoseManyError } from './diagnose/diagnose-many.js';
export { collect } from './diagnose/collect.js';
export type { CollectOptions } from './diagnose/collect.js';
// Whether a discovered server may be sent the token (it must be proven to be the account's own).
export { decideTokenRecipient } from './diagnose/token-recipient.js';
export type { TokenRecipientDecision } from './diagnose/token-recipient.js';
export type { CollectProgress } from './collect/scheduler.js';

// Collectors: what a collector author writes and reads.
export { defineCollector } from './collect/define-collector.js';
export type {
  Collector,
  AnyCollector,
  CollectorContext,
  PrefetchContext,
  ObservationReader,
  ObservationValues,
} from './collect/define-collector.js';
export type { CollectServices } from './collect/services.js';
export { builtinCollectors } from './collect/builtin/index.js';

// Rules: what a rule author writes.
export { defineRule } from './rules/define-rule.js';
export { builtinRules } from './rules/builtin/index.js';
export type { BuiltinRuleId, RuleId } from './rules/builtin-ids.js';
export type {
  Rule,
  AnyRule,
  RuleMeta,
  RuleContext,
  RuleCategory,
  RuleConfig,
  RuleSetting,
  ReportDescriptor,
} from './rules/types.js';

// Core types: the snapshot (evidence), findings and the report.
export { Snapshot } from './core/snapshot.js';
export { Observation, ObservationError, SkipCollection, CollectionFailure } from './core/observation.js';
export type { Severity, Confidence, Evidence, FixAction, SetPrefAction, EditListAction } from './core/finding.js';
export type {
  Report,
  Diagnosis,
  RuleCheck,
  ReportSummary,
  ObservationSummary,
  NetworkPath,
  PathHop,
} from './core/report.js';

// Output: formatters, the exit code, redaction.
export { formatText } from './report/format/text.js';
export { formatMarkdown } from './report/format/markdown.js';
export { formatJson } from './report/format/json.js';
export type { FormatOptions } from './report/format/style.js';
export { exitCodeFor } from './report/exit-code.js';
export type { FailOn } from './report/exit-code.js';
export { redactReport, redactSnapshot, redactValue } from './core/redact-values.js';
export type { RedactOptions } from './core/redact-values.js';
export { redactText } from './core/redact.js';

// Errors: one base class with a stable `code`. The guard is for code that may see both the ESM and the CJS copy of
// the package (their classes differ, so `instanceof` fails across them); compare `error.code` for the subclasses.
export {
  PlexDiagnoseError,
  HttpError,
  AuthError,
  NetworkError,
  TimeoutError,
  AbortError,
  BodyTooLargeError,
  DecodeError,
  ResponseValidationError,
  RedirectError,
  UsageError,
  SnapshotError,
  isPlexDiagnoseError,
} from './core/errors.js';
export type { ErrorCode, NetworkPhase } from './core/errors.js';
