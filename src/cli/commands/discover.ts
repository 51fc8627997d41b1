import { escapeTerminal, stringifyJson } from '../../core/escape.js';
import { discoverGdm } from '../../probes/gdm.js';
import { parseDuration } from '../../watch/interval.js';
import type { CommandContext } from '../command-context.js';
import { hostPortOption } from '../validate-flags.js';

export default async function discoverCommand({ values, output }: CommandContext): Promise<number> {
  const timeoutMs =
    typeof values.timeout === 'string' ? parseDuration(values.timeout, { minMs: 100, what: 'timeout' }) : 2000;
  const raw = Array.isArray(values['gdm-target']) ? values['gdm-target'] : [];
  // A bad target is a usage error here as in diagnose, not silently dropped (which would search the default targets).
  const targets = raw.map((text) => hostPortOption(text, 'gdm-target', 32414));
  const result = await discoverGdm({
    timeoutMs,
    signal: output.streams.signal,
    ...(targets.length ? { targets } : {}),
  });
  const servers = result.status === 'ok' ? result.value.servers : [];
  if (values.json === true) {
    output.out(`${stringifyJson(result.status === 'ok' ? result.value : { servers: [], error: result.error })}\n`);
    // The same exit code as the text output: a script must see that the search could not even be sent.
    return result.status === 'ok' ? 0 : 1;
  }
  if (result.status === 'failed') {
    output.err(`GDM discovery failed: ${escapeTerminal(result.error.message)}\n`);
    return 1;
  }
  if (servers.length === 0) {
    output.out(
      `No Plex server answered GDM discovery within ${timeoutMs} ms (sent to ${result.value.targets.join(', ')}).\n`,
    );
    for (const failure of result.value.sendErrors)
      output.out(`  could not send to ${escapeTerminal(failure.target)}: ${escapeTerminal(failure.code)}\n`);
    return 0;
  }
  // Every field of a GDM reply is whatever answered the broadcast said: escaped before it joins a line.
  for (const server of servers) {
    const address = escapeTerminal(server.address);
    const host = address.includes(':') ? `[${address}]` : address;
    const name = server.name === undefined ? '(unnamed)' : escapeTerminal(server.name);
    const version = server.version ? `  ${escapeTerminal(server.version)}` : '';
    output.out(
      `${name}  http://${host}:${server.port ?? 32400}  ${escapeTerminal(server.machineIdentifier)}${version}\n`,
    );
  }
  return 0;
}
