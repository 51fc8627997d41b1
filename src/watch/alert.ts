/**
 * What watch mode compares between runs (a WatchState) and what it sends when a change persists (an Alert).
 * Plain JSON with zod schemas: alerts go to webhooks, to `--exec` commands as JSON, and into tests as data.
 *
 * Alerts are built from a report's diagnoses (message and fix text only, never evidence or data), and every text
 * passes the shape-based token redactor as well: reports carry no token, and this keeps it that way if one ever did.
 */
import { z } from 'zod';
import { isPlexDiagnoseError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { Diagnosis, Report } from '../core/report.js';
import type { Severity } from '../rules/types.js';

export const WatchStatus = z.enum(['healthy', 'problem', 'diagnosis-failed']);
export type WatchStatus = z.infer<typeof WatchStatus>;

export const CauseKey = z.object({ ruleId: z.string(), messageId: z.string() });
export type CauseKey = z.infer<typeof CauseKey>;

/** The part of a run that decides whether anything changed: healthy, a set of root causes, or no diagnosis at all. */
export const WatchState = z.object({
  status: WatchStatus,
  /** The root causes (sorted by ruleId, then messageId); empty unless status is 'problem'. */
  causes: z.array(CauseKey),
});
export type WatchState = z.infer<typeof WatchState>;

export const AlertCause = z.object({
  ruleId: z.string(),
  messageId: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  /** The fix text, with exact values. */
  fix: z.string().optional(),
});
export type AlertCause = z.infer<typeof AlertCause>;

/**
 * problem: a problem appeared (from healthy, or as the first state seen). changed: a different set of root causes.
 * recovered: healthy again. unavailable: the diagnosis itself kept failing (network loss, server restarting).
 * forward-broken / forward-recovered: one monitored port forward stopped (or started again) answering from outside
 * (`forward` names it). outside-unavailable: the reflector itself could not check, so no forward was judged.
 */
export const AlertKind = z.enum([
  'problem',
  'changed',
  'recovered',
  'unavailable',
  'forward-broken',
  'forward-recovered',
  'outside-unavailable',
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertTarget = z.object({
  url: z.string().optional(),
  name: z.string().optional(),
  machineIdentifier: z.string().optional(),
});
export type AlertTarget = z.infer<typeof AlertTarget>;

/** Why a forward broke, as far as the evidence goes ('unknown' says what would tell). */
export const ForwardCauseKey = z.enum([
  'wrong-host',
  'wan-changed',
  'mapping-gone',
  'host-down',
  'filtered-upstream',
  'not-forwarded',
  'unknown',
]);
export type ForwardCauseKey = z.infer<typeof ForwardCauseKey>;

/** The forward a forward-* alert is about. */
export const AlertForward = z.object({
  externalPort: z.number().int(),
  /** The LAN side (host:port), when the user stated it (`--forward ext:host:port`). */
  target: z.string().optional(),
  label: z.string().optional(),
  /** forward-broken: the first failing run; forward-recovered: the first run it answered again (ISO 8601). */
  since: z.string(),
  /** forward-recovered: when it had broken. */
  brokenSince: z.string().optional(),
  /** What the reflector's connection met ('filtered', 'refused', ..., 'another server'). */
  seen: z.string().optional(),
  cause: ForwardCauseKey.optional(),
});
export type AlertForward = z.infer<typeof AlertForward>;

export const RunError = z.object({ code: z.string().optional(), message: z.string() });
export type RunError = z.infer<typeof RunError>;

export const Alert = z.object({
  kind: AlertKind,
  /** When the confirming run finished (ISO 8601). */
  at: z.string(),
  state: WatchState,
  /** The confirmed state before this one; null for the first confirmed state. */
  previous: WatchState.nullable(),
  /** Root causes with their messages and fixes, most important first; empty for 'recovered' and 'unavailable'. */
  causes: z.array(AlertCause),
  /** One line for a notification title ("Plex remote access problem: ..."). */
  summary: z.string(),
  /** Why the diagnosis failed ('unavailable' only). */
  error: RunError.optional(),
  /** The server the report was about (the last one seen, for 'unavailable'). */
  target: AlertTarget.optional(),
  /** forward-broken and forward-recovered: which forward. */
  forward: AlertForward.optional(),
});
export type Alert = z.infer<typeof Alert>;

const LEVEL: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
const MAX_TEXT = 1000;

export function clean(text: string): string {
  const redacted = redactText(text);
  return redacted.length > MAX_TEXT ? `${redacted.slice(0, MAX_TEXT - 1)}…` : redacted;
}

/**
 * The diagnoses that make a state: root causes at or above `minSeverity`, plus the root causes that explain a
 * contributing finding at or above it (an error explained by a warning still counts, through its cause).
 */
export function causesOf(report: Report, minSeverity: Severity): Diagnosis[] {
  const relevant = report.diagnoses.filter((d) => LEVEL[d.severity] >= LEVEL[minSeverity]);
  const chosen = new Set<Diagnosis>();
  for (const diagnosis of relevant) {
    if (diagnosis.rank !== 'contributing') {
      chosen.add(diagnosis);
      continue;
    }
    for (const ruleId of diagnosis.explainedBy) {
      for (const cause of report.diagnoses)
        if (cause.ruleId === ruleId && cause.rank === 'root-cause') chosen.add(cause);
    }
  }
  // Report order is already most-important-first.
  return report.diagnoses.filter((d) => chosen.has(d));
}

function compareKeys(a: CauseKey, b: CauseKey): number {
  return a.ruleId === b.ruleId
    ? a.messageId < b.messageId
      ? -1
      : a.messageId > b.messageId
        ? 1
        : 0
    : a.ruleId < b.ruleId
      ? -1
      : 1;
}

export function stateOf(causes: readonly Diagnosis[]): WatchState {
  if (causes.length === 0) return { status: 'healthy', causes: [] };
  const unique = new Map<string, CauseKey>();
  for (const d of causes)
    unique.set(JSON.stringify([d.ruleId, d.messageId]), { ruleId: d.ruleId, messageId: d.messageId });
  return { status: 'problem', causes: [...unique.values()].sort(compareKeys) };
}

export function sameState(a: WatchState, b: WatchState): boolean {
  if (a.status !== b.status || a.causes.length !== b.causes.length) return false;
  return a.causes.every((key, i) => compareKeys(key, b.causes[i]!) === 0);
}

export function alertCause(d: Diagnosis): AlertCause {
  const fix = d.fix ? { fix: clean(d.fix.message) } : {};
  return { ruleId: d.ruleId, messageId: d.messageId, severity: d.severity, message: clean(d.message), ...fix };
}

export function runErrorOf(error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  const code = isPlexDiagnoseError(error) ? error.code : (error as { code?: unknown } | null)?.code;
  return { ...(typeof code === 'string' ? { code } : {}), message: clean(message || 'unknown error') };
}

/** "8443 → 192.168.1.20:443 (nas)": how every message names a forward. */
export function forwardName(forward: Pick<AlertForward, 'externalPort' | 'target' | 'label'>): string {
  const target = forward.target ? ` → ${forward.target}` : '';
  return `port ${forward.externalPort}${target}${forward.label ? ` (${forward.label})` : ''}`;
}

export function targetOf(report: Report): AlertTarget | undefined {
  const { url, name, machineIdentifier } = report.target;
  const target: AlertTarget = {};
  if (typeof url === 'string') target.url = clean(url);
  if (typeof name === 'string') target.name = name;
  if (typeof machineIdentifier === 'string') target.machineIdentifier = machineIdentifier;
  return Object.keys(target).length > 0 ? target : undefined;
}
