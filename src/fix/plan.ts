/**
 * From a report's machine-applicable actions to the exact PMS pref changes (pure, no I/O): what `fix` shows in its dry
 * run and what `applyFix` applies. Root causes come first; identical asks are merged (every rule that asked is kept);
 * values the server already has are dropped; two diagnoses wanting different values for one pref is a conflict that
 * is shown and not applied; prefs the server does not list, secret prefs and values of the wrong type are refused.
 */
import { z } from 'zod';
import type { Diagnosis, DiagnosisRank, Report } from '../core/report.js';
import { isSecretPref, type PrefSetting } from '../clients/server/schemas/prefs.js';
import type { ServerPrefs } from '../clients/server/schemas/network-prefs.js';
import type { EditListAction } from '../rules/types.js';
import { applyListEdits, splitList } from './list-edits.js';
import { currentPrefValue, FixPrefValue, samePrefValue, typedForPref } from './values.js';

export const FixChange = z.object({
  pref: z.string(),
  /** The setting's label, when the server gives one (hidden prefs have none). */
  label: z.string().optional(),
  /** The current value; absent when the server lists neither a value nor a default. */
  from: FixPrefValue.optional(),
  /** The new value, typed as the pref's type (bool → boolean, int → number). */
  to: FixPrefValue,
  /** Every rule that asked for this change, root causes first. */
  ruleIds: z.array(z.string()),
  /** Why: the message of each diagnosis that asked. */
  reasons: z.array(z.string()),
});
export type FixChange = z.infer<typeof FixChange>;

/**
 * Why an action is not in `changes`. already-set: the server has the value (a no-op); conflict: diagnoses disagree;
 * unknown-pref: the server does not list it; secret-pref: its value is never read back, so it could not be undone;
 * invalid-value: the value does not fit the pref's type.
 */
export const FixSkipKind = z.enum(['already-set', 'conflict', 'unknown-pref', 'secret-pref', 'invalid-value']);
export type FixSkipKind = z.infer<typeof FixSkipKind>;

export const FixSkipped = z.object({
  pref: z.string(),
  to: FixPrefValue,
  kind: FixSkipKind,
  reason: z.string(),
  ruleIds: z.array(z.string()),
});
export type FixSkipped = z.infer<typeof FixSkipped>;

export const FixPlan = z.object({
  /** The server the plan was made for (from the report's target, else its MachineIdentifier pref). */
  machineIdentifier: z.string().optional(),
  changes: z.array(FixChange),
  skipped: z.array(FixSkipped),
});
export type FixPlan = z.infer<typeof FixPlan>;

const RANK_ORDER: Record<DiagnosisRank, number> = { 'root-cause': 0, contributing: 1, info: 2 };

interface Ask {
  pref: string;
  /** A whole new value (set-pref) ... */
  value?: FixPrefValue;
  /** ... or an edit of a comma list (edit-list), composed with the other edits of the same pref. */
  edit?: EditListAction;
  ruleId: string;
  reason: string;
}

function asksOf(diagnoses: readonly Diagnosis[]): Ask[] {
  // A stable sort: the engine's ranking inside each rank is kept.
  const ordered = [...diagnoses].sort((a, b) => RANK_ORDER[a.rank] - RANK_ORDER[b.rank]);
  const asks: Ask[] = [];
  for (const diagnosis of ordered) {
    for (const action of diagnosis.fix?.actions ?? []) {
      const base = { pref: action.pref, ruleId: diagnosis.ruleId, reason: diagnosis.message };
      if (action.type === 'set-pref') asks.push({ ...base, value: action.value });
      else if (action.type === 'edit-list') asks.push({ ...base, edit: action });
    }
  }
  return asks;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];
const show = (value: FixPrefValue | undefined): string => (value === undefined ? '(unset)' : JSON.stringify(value));

/** One wanted value of a pref, with everyone who asked for it. */
interface Wanted {
  value: FixPrefValue;
  ruleIds: string[];
  reasons: string[];
}

/**
 * List edits become one wanted value: every edit applied, in rank order, to the current list. Mixed with a whole-value
 * set-pref of the same pref they are two different wanted values, hence a conflict.
 */
function composeListEdits(setting: PrefSetting | undefined, asks: readonly Ask[]): Ask[] {
  const edits = asks.filter((ask) => ask.edit);
  if (edits.length === 0) return [...asks];
  const current = setting ? currentPrefValue(setting) : undefined;
  const value = applyListEdits(
    splitList(current),
    edits.map((ask) => ask.edit!),
  ).join(',');
  const composed = edits.map((ask) => ({ pref: ask.pref, value, ruleId: ask.ruleId, reason: ask.reason }));
  return [...asks.filter((ask) => !ask.edit), ...composed];
}

function groupByValue(type: string | undefined, asks: readonly Ask[]): Wanted[] {
  const wanted: Wanted[] = [];
  for (const ask of asks) {
    if (ask.value === undefined) continue;
    const typed = typedForPref(type, ask.value) ?? ask.value;
    const same = wanted.find((w) => samePrefValue(type, w.value, typed));
    if (same) {
      same.ruleIds = unique([...same.ruleIds, ask.ruleId]);
      same.reasons = unique([...same.reasons, ask.reason]);
    } else {
      wanted.push({ value: typed, ruleIds: [ask.ruleId], reasons: [ask.reason] });
    }
  }
  return wanted;
}

function planPref(pref: string, asks: readonly Ask[], setting: PrefSetting | undefined, plan: FixPlan): void {
  const wanted = groupByValue(setting?.type, composeListEdits(setting, asks));
  const skip = (w: Wanted, kind: FixSkipKind, reason: string): void => {
    plan.skipped.push({ pref, to: w.value, kind, reason, ruleIds: w.ruleIds });
  };
  if (!setting) {
    for (const w of wanted)
      skip(
        w,
        'unknown-pref',
        `the server does not list a pref "${pref}" (another server version?), so it cannot be set`,
      );
    return;
  }
  if (isSecretPref(pref)) {
    for (const w of wanted)
      skip(
        w,
        'secret-pref',
        `${pref} holds a secret the server never shows, so its value could not be restored by undo: change it by hand`,
      );
    return;
  }
  if (wanted.length > 1) {
    const who = wanted
      .map(
        (w) =>
          `${w.ruleIds.join(', ')} want${w.ruleIds.length > 1 ? '' : 's'} ${show(w.value)} (${w.reasons.join('; ')})`,
      )
      .join(' but ');
    for (const w of wanted) skip(w, 'conflict', `conflicting fixes for ${pref}: ${who}; not changed, decide by hand`);
    return;
  }
  const [only] = wanted;
  if (!only) return;
  if (typedForPref(setting.type, only.value) === undefined) {
    skip(only, 'invalid-value', `${show(only.value)} is not a valid ${setting.type} value for ${pref}`);
    return;
  }
  const from = currentPrefValue(setting);
  if (samePrefValue(setting.type, from, only.value)) {
    skip(only, 'already-set', `${pref} is already ${show(from)}`);
    return;
  }
  plan.changes.push({
    pref,
    ...(setting.label ? { label: setting.label } : {}),
    ...(from === undefined ? {} : { from }),
    to: only.value,
    ruleIds: only.ruleIds,
    reasons: only.reasons,
  });
}

/**
 * The pref changes a report asks for, checked against the server's current prefs. Pure: nothing is sent.
 * Changes are ordered by the first (highest-ranked) diagnosis that asked for them.
 */
export function planFix(report: Pick<Report, 'diagnoses' | 'target'>, current: ServerPrefs): FixPlan {
  const byId = new Map(current.settings.map((setting) => [setting.id, setting]));
  const machineIdentifier = report.target.machineIdentifier ?? stringValue(byId.get('MachineIdentifier'));
  const plan: FixPlan = { ...(machineIdentifier ? { machineIdentifier } : {}), changes: [], skipped: [] };
  const byPref = new Map<string, Ask[]>();
  for (const ask of asksOf(report.diagnoses)) byPref.set(ask.pref, [...(byPref.get(ask.pref) ?? []), ask]);
  for (const [pref, asks] of byPref) planPref(pref, asks, byId.get(pref), plan);
  return plan;
}

function stringValue(setting: PrefSetting | undefined): string | undefined {
  const value = setting && currentPrefValue(setting);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
