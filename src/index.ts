// The public surface. Every export is named here; anything not listed is internal and may change.
export { VERSION } from './core/version.js';

// The diagnosis: collect → snapshot → analyze → report.
export { diagnose, analyze, readSnapshot } from './diagnose/diagnose.js';
export type { DiagnoseOptions, AnalyzeOptions } from './diagnose/diagnose.js';
export { diagnoseMany, DEFAULT_DIAGNOSE_MANY_CONCURRENCY } from './diagnose/diagnose-many.js';
export type { DiagnoseManyOptions, DiagnoseManyResult, DiagnoseManyError } from './diagnose/diagnose-many.js';
export { collect, DEFAULT_COLLECTOR_TIMEOUT_MS } from './diagnose/collect.js';
export type { CollectOptions } from './diagnose/collect.js';
export { Snapshot, SNAPSHOT_SCHEMA_VERSION } from './core/snapshot.js';
export { Observation, ObservationError, SkipCollection, CollectionFailure } from './core/observation.js';
export type { CollectProgress } from './collect/scheduler.js';
export type { CollectServices, NetworkOptions, ProbeSet } from './collect/services.js';
export { defineCollector } from './collect/define-collector.js';
export type {
  Collector,
  CollectorContext,
  ObservationReader,
  ObservationValues,
  AnyCollector,
  PrefetchContext,
} from './collect/define-collector.js';
export { builtinCollectors } from './collect/builtin/index.js';
export { ConnectionsValue, ProbedConnection, PlexDirectDnsCollection } from './collect/values/connections.js';
export { ResourcesValue, PublicIpValue } from './collect/values/plextv.js';

// Rules.
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
  Severity,
  Confidence,
  Evidence,
  FixAction,
  SetPrefAction,
} from './rules/types.js';

// The report and its formats.
export type {
  Report,
  Diagnosis,
  DiagnosisRank,
  RuleCheck,
  CheckStatus,
  ObservationSummary,
  ReportSummary,
  NetworkPath,
  PathHop,
} from './core/report.js';
export { REPORT_SCHEMA_VERSION } from './core/report.js';
export { formatText } from './report/format/text.js';
export { formatMarkdown, formatPathMermaid } from './report/format/markdown.js';
export { formatJson } from './report/format/json.js';
export type { FormatOptions } from './report/format/style.js';
export { exitCodeFor } from './report/exit-code.js';
export type { FailOn } from './report/exit-code.js';
export { redactReport, redactSnapshot, redactValue } from './core/redact-values.js';
export type { RedactOptions } from './core/redact-values.js';
export { createIpAnonymizer } from './core/anonymize-ips.js';
export type { IpAnonymizer } from './core/anonymize-ips.js';

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
  isHttpError,
  isAuthError,
  isNetworkError,
  isTimeoutError,
  isDecodeError,
  isResponseValidationError,
} from './core/errors.js';
export type { ErrorCode, NetworkPhase, PlexApiErrorEntry, DecodeFailure, ValidationIssue } from './core/errors.js';

export { httpRequest } from './http/transport.js';
export type { HttpRequestOptions, HttpResponse, HttpMethod } from './http/transport.js';
export { redactText, redactUrl } from './core/redact.js';

export { classifyAddress, isPublicAddress, isInCidr, containerNetworkOf } from './core/net/address.js';
export type { AddressClass, ContainerNetwork } from './core/net/address.js';
export { parsePlexDirectName, plexDirectHostname, isPlexDirectHost } from './core/net/plex-direct.js';
export type { PlexDirectName } from './core/net/plex-direct.js';

export type { ProbeResult, ProbeError, ProbeOptions, ProbePhase } from './probes/types.js';

// The Plex Media Server client and the schemas of what it returns.
export {
  createServerClient,
  normalizeServerBaseUrl,
  ServerIdentity,
  ServerRoot,
  MyPlexAccount,
  PrefSetting,
  NetworkPrefs,
  ServerPrefs,
  networkPrefsFrom,
  parseEnumValues,
  isSecretPref,
  MAPPING_STATES,
  MAPPING_ERRORS,
  SIGNIN_STATES,
  PREF_TYPES,
  NETWORK_PREF_KINDS,
  SECURE_CONNECTIONS_LABELS,
  REDACTED_PREF_VALUE,
} from './clients/server/index.js';
export type {
  ServerClient,
  ServerClientOptions,
  ServerCallOptions,
  PrefInput,
  PrefValue,
  PrefEnumValue,
  NetworkPrefId,
  SecureConnectionsLabel,
} from './clients/server/index.js';

// The plex.tv client, its schemas and helpers.
export {
  createPlexTvClient,
  createClientIdentifier,
  PLEX_TV_URL,
  PlexConnection,
  PlexDevice,
  PlexDeviceList,
  withoutSecrets,
  PlexUser,
  PlexSubscription,
  PlexPin,
  PinOutcome,
  pinAuthUrl,
  pinPollDelay,
  PIN_EXPIRED_ERROR_CODE,
  DEFAULT_AUTH_APP_URL,
  PlexServerRecord,
  PlexServerRecordList,
  parsePublicIpBody,
  serversOf,
  findServer,
  classifyConnection,
} from './clients/plextv/index.js';
export type {
  PlexTvClient,
  PlexTvClientOptions,
  CallSignalOptions,
  ResourcesOptions,
  LegacyResourcesOptions,
  CreatePinOptions,
  PollPinOptions,
  AuthUrlOptions,
  PlexConnectionWithoutSecrets,
  PlexDeviceWithoutSecrets,
  ConnectionKind,
  ConnectionClassification,
} from './clients/plextv/index.js';

// Probes: TCP, identity over HTTP/TLS (plex.direct by IP with SNI), plex.direct DNS.
export { probeTcp, tcpState, TcpProbeValue, DEFAULT_TCP_TIMEOUT_MS } from './probes/tcp.js';
export type { TcpProbeOptions, TcpState } from './probes/tcp.js';
export {
  probeIdentity,
  identityUrl,
  IdentityProbeValue,
  DEFAULT_IDENTITY_TIMEOUT_MS,
  IDENTITY_BODY_CAP_BYTES,
} from './probes/identity/probe.js';
export type { IdentityProbeOptions } from './probes/identity/probe.js';
export { IdentityBodyKind } from './probes/identity/body.js';
export { ResolvedVia } from './probes/identity/route.js';
export { TlsInfo, TlsCertificateInfo } from './probes/identity/tls-capture.js';
export {
  probePlexDirectDns,
  isRebindingSuspect,
  PlexDirectDnsValue,
  DnsResolverAnswer,
  DnsAnswerOutcome,
  DnsControlAnswer,
  PlexDirectDnsVerdict,
  DEFAULT_DNS_TIMEOUT_MS,
} from './probes/dns.js';
export type { PlexDirectDnsOptions } from './probes/dns.js';

// Probes: the router (UPnP IGD, NAT-PMP), GDM discovery, this host.
export {
  discoverIgd,
  probeUpnp,
  createIgdClient,
  describeUpnpError,
  parseSsdpReply,
  parseDeviceDescription,
  parseSoapResponse,
  UPNP_ERROR_NAMES,
  UpnpProbeValue,
  IgdDiscovery,
  IgdServiceRef,
  PortMappingEntry,
  IndexedPortMapping,
  PortMappingProtocol,
  ConnectionStatusInfo,
  UpnpActionError,
  ExternalIpStatus,
} from './probes/upnp/index.js';
export type {
  DiscoverIgdOptions,
  ProbeUpnpOptions,
  IgdClient,
  IgdClientOptions,
  IgdCallOptions,
  IgdCallResult,
  AddPortMappingInput,
  ListPortMappingsResult,
  SsdpReply,
} from './probes/upnp/index.js';
export { probeNatPmp, natPmpMapPort, natPmpUnmapPort, NatPmpValue, NatPmpMapping } from './probes/natpmp/probe.js';
export type { NatPmpOptions, NatPmpMapOptions } from './probes/natpmp/probe.js';
export { parseNatPmpResponse, NATPMP_RESULT_CODES } from './probes/natpmp/packet.js';
export type { NatPmpPacket, NatPmpProtocol } from './probes/natpmp/packet.js';
export { discoverGdm, parseGdmReply, GdmDiscovery, GdmServer } from './probes/gdm.js';
export type { DiscoverGdmOptions, GdmTarget, GdmReply } from './probes/gdm.js';
export {
  probeHost,
  defaultIpv4Gateway,
  HostInfo,
  HostInterface,
  HostAddress,
  DefaultRoute,
  RouteEntry,
  ContainerInfo,
  ContainerRuntime,
  BridgeAddress,
  VpnInfo,
} from './probes/host/index.js';
export type { ProbeHostOptions, HostSources } from './probes/host/index.js';
export { AddressClassSchema } from './probes/address-class.js';

// Watch mode building blocks: debounced alerts, notifiers (Discord, Slack, ntfy, JSON), alert commands.
export * from './watch/index.js';
// Where a Plex token can be found on this host (flag, env, login config, the server's own Preferences).
export { discoverToken } from './this-host/discover-token.js';
export type {
  DiscoverTokenInput,
  DiscoveredToken,
  TokenAttempt,
  TokenSource,
  TokenAttemptOutcome,
} from './this-host/discover-token.js';

// fix: the report's machine-applicable actions as PMS pref changes, with an undo journal.
export {
  planFix,
  applyFix,
  undoFix,
  fixJournalPath,
  undoneJournalPath,
  readFixJournal,
  FixPlan,
  FixChange,
  FixSkipped,
  FixSkipKind,
  ApplyFixResult,
  UndoFixResult,
  FixMismatch,
  FixJournal,
  FixJournalChange,
  FixJournalState,
  FIX_JOURNAL_VERSION,
  FixError,
  isFixError,
  FixPrefValue,
  samePrefValue,
} from './fix/index.js';
export type { ApplyFixOptions, UndoFixOptions, FixErrorReason } from './fix/index.js';
// The opt-in alternate-port experiment (changes state, always restores).
export {
  runAlternatePortExperiment,
  restorePendingExperiment,
  alternatePortJournalPath,
  AlternatePortResult,
  AlternatePortOutcome,
  AlternatePortStep,
  AlternatePortJournal,
  MappingView,
  RestoreOutcome,
  PendingRestoreResult,
  ALTERNATE_PORT_OUTCOMES,
  ALTERNATE_PORT_RANGE,
  MAPPING_DESCRIPTION,
  MAPPING_LEASE_SECONDS,
  DEFAULT_RESTORE_TIMEOUT_MS,
} from './experiments/index.js';
export type { AlternatePortOptions, RestorePendingOptions } from './experiments/index.js';
