/** Shared builders for the fix tests: diagnoses with fix actions, and settings lists shaped like `/:/prefs`. */
import type { Diagnosis, DiagnosisRank, Report } from '../../src/core/report.js';
import type { FixAction } from '../../src/rules/types.js';
import type { ServerPrefs } from '../../src/clients/server/schemas/network-prefs.js';
import { networkPrefsFrom } from '../../src/clients/server/schemas/network-prefs.js';
import type { PrefSetting } from '../../src/clients/server/schemas/prefs.js';

export function diagnosis(
  ruleId: string,
  rank: DiagnosisRank,
  actions: FixAction[],
  message = `${ruleId} fired`,
): Diagnosis {
  return {
    ruleId,
    severity: rank === 'info' ? 'info' : 'error',
    category: 'remote-access',
    title: ruleId,
    messageId: 'found',
    message,
    data: {},
    evidence: [],
    confidence: 'high',
    fix: { fixId: 'fix', message: `fix for ${ruleId}`, data: {}, actions },
    rank,
    explainedBy: [],
  };
}

export function report(diagnoses: Diagnosis[], machineIdentifier?: string): Pick<Report, 'diagnoses' | 'target'> {
  return {
    diagnoses,
    target: { url: 'http://192.168.1.10:32400', ...(machineIdentifier ? { machineIdentifier } : {}) },
  };
}

export const setPref = (pref: string, value: string | number | boolean): FixAction => ({
  type: 'set-pref',
  pref,
  value,
});

/** A settings list as the PMS client returns it (values already typed by the setting's type). */
export function prefs(settings: Partial<PrefSetting>[]): ServerPrefs {
  const list = settings.map((s) => ({ hidden: false, advanced: false, ...s }) as PrefSetting);
  return { settings: list, network: networkPrefsFrom(list) };
}
