/** The namespace lab harness: see test/lab/README.md. */
export { startLab, withLab } from './lab.js';
export type { Lab, ExecOptions, LabHttpRequest, LabHttpResult } from './lab.js';
export type { LabProcess, SpawnOptions } from './processes.js';
export type { CommandResult } from './command.js';
export { LAB_ADDRESSES, LAB_IPV6, normalizeScenario, toolsFor } from './scenario.js';
export type {
  LabScenario,
  LabRole,
  LabAddresses,
  PortForward,
  IspBlock,
  RouterOptions,
  PlexServerOptions,
  PlexTvOptions,
  NormalizedScenario,
} from './scenario.js';
export type { LabPlexServer } from './services.js';
export { checkLabAvailability, ALL_LAB_TOOLS } from './availability.js';
export type { LabAvailability } from './availability.js';
export { cleanupStaleLabs, assertNoLeftovers, findLeftovers } from './registry.js';
export { distDir, REPO_ROOT, LAB_ROOT } from './paths.js';
