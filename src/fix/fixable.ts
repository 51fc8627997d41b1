/**
 * The prefs `fix` may change, and so the only prefs `fix --undo` will write. The built-in rules' fix actions name
 * exactly these (test/fix/fixable.test.ts keeps the list and the rules in step). An undo journal is a file anyone who
 * can write it can edit: without this list, a tampered journal could "restore" PlexOnlineToken or any other pref.
 */
export const FIXABLE_PREFS: ReadonlySet<string> = new Set([
  'ManualPortMappingMode',
  'ManualPortMappingPort',
  'PublishServerOnPlexOnlineKey',
  'RelayEnabled',
  'secureConnections',
  'allowedNetworks',
  'LanNetworksBandwidth',
  'customConnections',
]);

export function isFixablePref(pref: string): boolean {
  return FIXABLE_PREFS.has(pref);
}
