/**
 * Rules: ESLint's shape (serialisable `meta` + one pure function), specialised for diagnoses. A rule reads the
 * snapshot's observations and reports what it finds with evidence, confidence and an exact fix. No I/O, no clock.
 */
import type { z } from 'zod';
import type { ObservationReader } from '../collect/define-collector.js';
import type { RuleId } from './builtin-ids.js';
import type { PathHop } from '../core/report.js';
import type { Snapshot } from '../core/snapshot.js';

import type { Confidence, Evidence, FixAction, RuleCategory, Severity } from '../core/finding.js';
import type { NextStep } from '../core/report.js';

export type {
  Confidence,
  EditListAction,
  Evidence,
  FixAction,
  RuleCategory,
  SetPrefAction,
  Severity,
} from '../core/finding.js';

export interface RuleMeta<MessageIds extends string = string, FixIds extends string = string, Options = unknown> {
  /** Default severity; users can change it per rule. */
  severity: Severity;
  category: RuleCategory;
  /** One line: what the rule checks ("Plex's port is reachable from the internet"). */
  title: string;
  /** Collectors that must have succeeded; otherwise the rule is reported as skipped with the reason. */
  requires: readonly string[];
  /** Collectors read when available; collected, but the rule runs without them. */
  uses?: readonly string[];
  /** Message templates by id, with `{{placeholders}}`; the ids are the contract tests check. */
  messages: Record<MessageIds, string>;
  /** Fix templates by id, with `{{placeholders}}`. */
  fixes?: Record<FixIds, string>;
  /**
   * Rules whose findings this rule's finding explains. When both fire, those become `contributing` (e.g. CGNAT
   * explains "unreachable from the internet"), so one root cause heads the report.
   */
  explains?: readonly RuleId[];
  /** Link to the rule's documentation page. */
  docsUrl?: string;
  /**
   * The hop of the server → internet path picture a finding of this rule marks (broken for a root cause, warning for a
   * contributing one); findings of rules without one, and info findings, leave the picture as it is.
   * @default undefined (no mark)
   */
  hop?: PathHop['kind'];
  /**
   * The zod schema of the rule's options (an object). Configured options are validated against it when the rules are
   * resolved, so a bad option is a usage error naming the rule and the option, before anything is collected; with no
   * options configured the schema is given `{}`, so its defaults apply. `ctx.options` is the parsed result. A rule
   * without a schema takes no options: configuring some is a usage error too.
   * @default undefined (no options)
   */
  options?: z.ZodType<Options, object>;
  /**
   * The remote-access question this rule decides (see `DECIDING_QUESTIONS`). The verdict is ok only when every
   * question some enabled rule decides has at least one such rule that PASSED; otherwise it is inconclusive.
   */
  decides?: DecidingQuestion;
  /**
   * The rule reports a symptom (Plex's own verdict, relay-only), not a cause: a finding of it alone does not single
   * out a cause, so the report still shows the differential.
   */
  symptom?: boolean;
}

/** The questions that decide "does remote access work"; a rule may decide one. */
export const DECIDING_QUESTIONS = {
  'server-answers': 'the server answers at the URL given',
  'remote-access-enabled': 'remote access is enabled on the server',
  'reachable-from-outside': 'the server is reachable from outside (plex.tv or a reflector connected to it)',
} as const;
export type DecidingQuestion = keyof typeof DECIDING_QUESTIONS | (string & {});

/** `ctx.pass()`: the check passed, and this is the evidence that passed it (at least one item). */
export interface PassDescriptor {
  evidence: Evidence[];
}

/** `ctx.notChecked()`: the check could not be decided; why, and what would make it checkable. */
export interface NotCheckedDescriptor {
  /** "no UPnP answer: the router's forwards can't be read". */
  reason: string;
  /** "give a token (--token or PLEX_TOKEN)", "run with --reflector". */
  howToCheck?: string;
}

/**
 * `ctx.suspect()`: a candidate cause for the differential, where the evidence points to this rule's cause but does
 * not decide it. Dropped when the same rule reports a finding or passes (it decided after all).
 */
export interface SuspectDescriptor<MessageIds extends string = string> {
  /** A message of `meta.messages` naming the cause. */
  messageId: MessageIds;
  data?: Record<string, string | number | boolean | undefined>;
  /** What points to the cause (at least one item). */
  for: Evidence[];
  /** What points away from it. @default [] */
  against?: Evidence[];
  /** The ONE observation or action that would confirm or rule it out. */
  nextStep: NextStep;
  /** @default 'low' when something points away, else 'medium' */
  likelihood?: Confidence;
}

export interface ReportDescriptor<MessageIds extends string = string, FixIds extends string = string> {
  messageId: MessageIds;
  data?: Record<string, string | number | boolean | undefined>;
  evidence: Evidence[];
  confidence: Confidence;
  fix?: {
    fixId: FixIds;
    data?: Record<string, string | number | boolean | undefined>;
    /** Machine-applicable PMS pref changes for `fix`; only where the change is certain to be right. */
    actions?: FixAction[];
  };
  /** Overrides meta.explains for this finding. */
  explains?: readonly RuleId[];
}

export interface RuleContext<
  MessageIds extends string = string,
  FixIds extends string = string,
  Options = unknown,
> extends ObservationReader {
  /** The rule's id. */
  readonly id: string;
  /** The rule's options, parsed by `meta.options` (defaults applied); undefined for a rule that takes none. */
  readonly options: Options;
  /** What the run was pointed at and how: target URL, whether a token was used, when it was collected. */
  readonly snapshot: Pick<Snapshot, 'target' | 'context' | 'createdAt'>;
  /** A finding: the check failed (or, with severity info, a note). */
  report(descriptor: ReportDescriptor<MessageIds, FixIds>): void;
  /** The check passed, with the evidence that decided it. Without this (or a finding) a check ends `not-checked`. */
  pass(descriptor: PassDescriptor): void;
  /** The check could not be decided: why, and how to make it checkable. The engine's default, with a generic reason. */
  notChecked(descriptor: NotCheckedDescriptor): void;
  /** A candidate cause for the differential (partial evidence). */
  suspect(descriptor: SuspectDescriptor<MessageIds>): void;
}

export interface Rule<MessageIds extends string = string, FixIds extends string = string, Options = unknown> {
  readonly id: string;
  readonly meta: RuleMeta<MessageIds, FixIds, Options>;
  evaluate(context: RuleContext<MessageIds, FixIds, Options>): void;
}

// Rules are stored and passed around without their message-id generics.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any, any>;

/** ESLint-style per-rule configuration: turn off, change severity, pass options. */
export type RuleSetting = 'off' | Severity | { severity?: Severity | 'off'; options?: unknown };
export type RuleConfig = Record<string, RuleSetting>;
