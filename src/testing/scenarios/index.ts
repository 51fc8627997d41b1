// Scenario presets: whole diagnoses end to end, in process (fake server + fake plex.tv + network facts).
export { defineScenario } from './define.js';
export type {
  ExpectedFinding,
  Scenario,
  ScenarioDefinition,
  ScenarioExpectation,
  ScenarioForward,
  ScenarioNetwork,
  ScenarioRouter,
  ScenarioServer,
} from './define.js';
export { scenarios } from './presets.js';
export type { ScenarioName } from './presets.js';
export { startScenario, DEFAULT_SCENARIO } from './start.js';
export type { RunningScenario, StartScenarioOptions } from './start.js';
