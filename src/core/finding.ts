/**
 * What a finding is made of: severity, confidence, evidence and machine-applicable fix actions. Core types: rules
 * produce them, the report carries them, fix applies them.
 */

export type Severity = 'error' | 'warning' | 'info';
export type Confidence = 'high' | 'medium' | 'low';

/** Built-in categories; user rules may use their own strings. Used for grouping output and `--only`. */
export type RuleCategory =
  | 'server'
  | 'account'
  | 'remote-access'
  | 'port-forwarding'
  | 'network'
  | 'dns'
  | 'tls'
  | 'lan'
  | 'relay'
  | (string & {});

export interface Evidence {
  /** Where it was observed: a collector id ("server.account") or a short source ("router (UPnP)"). */
  source: string;
  /** What was observed, as text a person can check ("mappingError=unreachable"). */
  observed: string;
  /** What a healthy setup would show, when that helps. */
  expected?: string;
  /**
   * The user stated it (a flag or an answer to a question) rather than a probe measuring it: shown as "you said", and
   * a finding resting only on declarations is capped at medium confidence.
   */
  declared?: boolean;
}

/** A change `plex-diagnose fix` can apply to the Plex Media Server (a `PUT /:/prefs`). */
export interface SetPrefAction {
  type: 'set-pref';
  pref: string;
  value: string | number | boolean;
}
/**
 * An edit of a comma-list pref (customConnections, allowedNetworks, LanNetworksBandwidth). Edits from several findings
 * compose on the current value, where whole-value `set-pref`s of the same list would conflict.
 */
export interface EditListAction {
  type: 'edit-list';
  pref: string;
  /** Entries appended when not already present. */
  add?: string[];
  /** Entries removed (exact match after trimming). */
  remove?: string[];
  /** Entries rewritten in place. */
  replace?: { from: string; to: string }[];
}
export type FixAction = SetPrefAction | EditListAction;
