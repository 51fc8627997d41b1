// Outside checks: the reflector server, its client and the vantage verdict. A layer beside the probes: it imports
// core, http and probes; only collect, diagnose, cli and the root entry import it.
export { startReflector, type RunningReflector, type StartReflectorOptions } from './reflector/server.js';
export { DEFAULT_REFLECTOR_LIMITS, type ReflectorLimits, type ReflectorOptions } from './reflector/options.js';
export { DEFAULT_PORT_DEADLINES, type PortDeadlines } from './reflector/check-port.js';
export {
  checkFromOutside,
  DEFAULT_OUTSIDE_TIMEOUT_MS,
  type CheckFromOutsideOptions,
  type OutsideCheckAnswer,
} from './client.js';
export { classifyVantage, OutsideVantage, type VantageInput, type VantageVerdict } from './vantage.js';
export { loadSecret, SECRET_ENV, type LoadedSecret } from './secret.js';
export { MIN_SECRET_LENGTH } from './signing.js';
export {
  CHECK_PATH,
  CheckRequest,
  CheckResponse,
  MAX_PORTS_PER_REQUEST,
  PortCheckRequest,
  PortCheckResult,
  PROTOCOL_VERSION,
  Refusal,
} from './protocol.js';
