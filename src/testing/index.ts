// `plex-diagnose/testing`: real loopback fakes of a Plex Media Server, plex.tv and the network around them, and
// scenario presets, for our own tests, the `demo` command, and other tool authors.
export { startLoopbackServer } from './http-server.js';
export type { LoopbackServer, LoopbackServerOptions, RequestHandler } from './http-server.js';
export type { FakeFault, FaultRule } from './faults.js';

export { startFakeDnsServer } from './fake-dns.js';
export type { FakeDnsServer, FakeDnsOptions, FakeDnsMode, FakeDnsQuery } from './fake-dns.js';
export { startBlackHoleListener } from './black-hole.js';
export type { BlackHoleListener, BlackHoleOptions } from './black-hole.js';

export { startFakePlexServer, FAKE_SETTINGS } from './fake-plex-server/index.js';
export type {
  FakePlexServer,
  FakePlexServerOptions,
  FakePlexRequest,
  FakePlexServerState,
  FakeAccountState,
  FakePublishBody,
  FakePublishRecord,
  FakeReachabilityRecord,
  FakeSettingDefinition,
  FakePrefType,
} from './fake-plex-server/index.js';

export { startFakePlexTv, DEFAULT_FAKE_TOKEN, FakePublishRequest } from './fake-plex-tv/index.js';
export type {
  FakePlexTv,
  FakePlexTvOptions,
  FakePlexTvRequest,
  FakePublishedServer,
  FakePin,
} from './fake-plex-tv/index.js';

export { startFakeIgd } from './fake-igd/index.js';
export type { FakeIgd, FakeIgdOptions, FakeIgdRequests, FakeIgdFlavour, FakeMapping } from './fake-igd/index.js';
export { startFakeNatPmp } from './fake-natpmp.js';
export type { FakeNatPmp, FakeNatPmpOptions, FakeNatPmpMode, FakeNatPmpMapping } from './fake-natpmp.js';
export { startFakeGdm, renderGdmReply, GDM_DOCSTRING_SERVER } from './fake-gdm.js';
export type { FakeGdm, FakeGdmOptions, FakeGdmServer } from './fake-gdm.js';

// Rule tests: observation and snapshot builders for a healthy home network, and a one-rule runner.
export {
  HOME,
  ok,
  failed,
  skipped,
  prefsValue,
  accountValue,
  upnpValue,
  natPmpValue,
  hostValue,
  deviceValue,
  resourcesValue,
  probedConnection,
  healthyObservations,
  buildSnapshot,
} from './observations.js';
export type { ConnectionSpec } from './observations.js';
export { runRule } from './run-rule.js';
export type { RuleRun } from './run-rule.js';
// Table-driven rule tests (ESLint's RuleTester shape), enforcing the rule contract like the engine does.
export { RuleTester, all } from './rule-tester.js';
export type {
  RuleTesterCase,
  RuleTesterCases,
  RuleTesterOptions,
  InvalidCase,
  SkippedCase,
  RuleTesterExpectedFinding,
  TestGroup,
  TestCase,
} from './rule-tester.js';

// Scenario presets: a whole setup (fake server, fake plex.tv, the router and the internet around them) per name.
export { scenarios, startScenario, defineScenario, DEFAULT_SCENARIO } from './scenarios/index.js';
export type {
  Scenario,
  ScenarioDefinition,
  ScenarioExpectation,
  ExpectedFinding,
  ScenarioForward,
  ScenarioNetwork,
  ScenarioRouter,
  ScenarioServer,
  ScenarioName,
  RunningScenario,
  StartScenarioOptions,
} from './scenarios/index.js';
