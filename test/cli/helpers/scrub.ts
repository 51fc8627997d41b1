/** Makes live CLI output comparable across runs: durations, times and the ports of this run's fakes become names. */

export interface ScrubOptions {
  /** Dynamic values to name, e.g. `{ [String(server.port)]: '<pms-port>' }`; replaced where they stand alone. */
  names?: Record<string, string>;
}

export function scrub(text: string, options: ScrubOptions = {}): string {
  let out = text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    // A run's duration prints in ms or s depending on how long it took (a loaded machine crosses 1 s): one unit here.
    .replace(/\bcollected in \d+(\.\d+)? s\b/g, 'collected in <n> ms')
    .replace(/\b\d+(\.\d+)? (ms|s)\b/g, '<n> $2')
    .replace(/\/tmp\/[\w.-]+/g, '<tmp>');
  for (const [value, name] of Object.entries(options.names ?? {})) {
    out = out.replace(new RegExp(`(?<![\\w.-])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'), name);
  }
  return out;
}

/**
 * Output anonymised with a random key per run (--markdown, --redact-ips) gets stable names: each distinct IPv4 address
 * becomes <ip1>, <ip2>, ... in order of appearance, and each anonymised plex.direct hash <hash1>, ...
 */
export function scrubAnonymised(text: string): string {
  const names = new Map<string, string>();
  const name = (kind: string, value: string): string => {
    const key = `${kind}:${value}`;
    if (!names.has(key))
      names.set(key, `<${kind}${[...names.keys()].filter((k) => k.startsWith(`${kind}:`)).length + 1}>`);
    return names.get(key)!;
  };
  return text
    .replace(/\b\d{1,3}(?:[.-]\d{1,3}){3}\b/g, (ip) => name('ip', ip.replace(/-/g, '.')))
    .replace(/\b[0-9a-f]{32}\b/g, (hash) => name('hash', hash));
}
