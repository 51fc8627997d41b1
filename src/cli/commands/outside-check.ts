/**
 * `plex-diagnose outside-check`: the phone check (issue 13 item 3). Listens on a port the router forwards (`--port`) or
 * maps one for the duration (`--map upnp|natpmp`), prints a URL with a one-time nonce and its QR code, and waits for a
 * phone on mobile data to open it. Exit 0 reached from outside, 1 not reached (timeout, or the check could not run),
 * 2 bad usage, 130 interrupted (the mapping is removed first: interrupt.ts gives this command the 'restore' mode).
 */
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { escapeTerminal, stringifyJson } from '../../core/escape.js';
import { isIpAddress } from '../../core/net/address.js';
import { createPlexTvClient } from '../../clients/plextv/index.js';
import { configDir } from '../../this-host/config-file.js';
import { renderQr, runOutsideCheck, terminalIsUtf8, type PhoneCheckResult } from '../../outside/phone/index.js';
import { parseDuration } from '../../watch/interval.js';
import type { CommandContext } from '../command-context.js';
import { hostPortOption, httpUrl } from '../validate-flags.js';

type Values = CommandContext['values'];
const str = (values: Values, name: string): string | undefined =>
  typeof values[name] === 'string' ? values[name] : undefined;

const MIN_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 60 * 60_000;

function portOption(values: Values, name: string): number | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text.trim()) || Number(text) < 1 || Number(text) > 65535)
    throw new UsageError(`--${name} must be a port number 1-65535, not "${escapeTerminal(text.slice(0, 20))}"`);
  return Number(text);
}

function mapOption(values: Values): 'upnp' | 'natpmp' | undefined {
  const map = str(values, 'map');
  if (map === undefined) return undefined;
  if (map !== 'upnp' && map !== 'natpmp')
    throw new UsageError(`--map must be upnp or natpmp, not "${escapeTerminal(map.slice(0, 20))}"`);
  return map;
}

function timeoutOption(values: Values): number {
  const text = str(values, 'timeout');
  if (text === undefined) return 5 * 60_000;
  const ms = parseDuration(text, { minMs: MIN_TIMEOUT_MS, what: 'timeout' });
  if (ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout "${text}" is too long: the maximum is 1h`);
  return ms;
}

function describeOutcome(result: PhoneCheckResult): string {
  switch (result.outcome) {
    case 'reached':
      return `Reached from outside: yes. A visit from ${result.source!.address} (${result.source!.addressClass}) got through to port ${result.externalPort}.`;
    case 'timeout':
      return `Reached from outside: no visit arrived (${result.reason}).${result.counts.refused ? ` ${result.counts.refused} visit(s) came from inside your network and did not count.` : ''}`;
    case 'interrupted':
      return 'Stopped before a visit from outside arrived.';
    case 'not-run':
      return `The check could not run: ${result.reason}.`;
  }
}

function summary(result: PhoneCheckResult): string {
  const lines = [describeOutcome(result)];
  if (result.mapping.made)
    lines.push(
      result.mapping.removed
        ? `The temporary router mapping is removed (${result.mapping.detail}).`
        : `The temporary router mapping could NOT be removed: ${result.mapping.detail}`,
    );
  for (const warning of result.warnings) if (warning !== result.mapping.detail) lines.push(`Note: ${warning}`);
  return lines.map((line) => `${escapeTerminal(line)}\n`).join('');
}

export default async function outsideCheckCommand({ values, output }: CommandContext): Promise<number> {
  const env = output.streams.env;
  const json = values.json === true;
  const map = mapOption(values);
  const listenPort = portOption(values, 'port');
  const externalPort = portOption(values, 'external-port');
  if (!map && listenPort === undefined)
    throw new UsageError(
      'outside-check needs --port <n> (a port your router forwards to this computer) or --map upnp|natpmp (to map one for the check)',
    );
  const timeoutMs = timeoutOption(values);
  const publicIp = str(values, 'public-ip');
  if (publicIp !== undefined && !isIpAddress(publicIp))
    throw new UsageError(`--public-ip must be an IP address, not "${escapeTerminal(publicIp.slice(0, 60))}"`);
  const upnpLocation = str(values, 'upnp-location');
  const ssdp = str(values, 'ssdp-address');
  const natpmp = str(values, 'natpmp-gateway');
  if ((upnpLocation || ssdp) && map !== 'upnp')
    throw new UsageError('--upnp-location and --ssdp-address go with --map upnp');
  if (natpmp && map !== 'natpmp') throw new UsageError('--natpmp-gateway goes with --map natpmp');
  const upnp = {
    ...(upnpLocation ? { location: httpUrl(upnpLocation, 'upnp-location') } : {}),
    ...(ssdp
      ? { ssdpAddress: (({ address, port }) => `${address}:${port}`)(hostPortOption(ssdp, 'ssdp-address', 1900)) }
      : {}),
  };
  const rawPlexTv = str(values, 'plextv-url') ?? (env.PLEX_DIAGNOSE_PLEXTV_URL || undefined);
  const plexTvUrl = rawPlexTv === undefined ? undefined : httpUrl(rawPlexTv, 'plextv-url');
  const saveTo = str(values, 'output');

  // Instructions go where the user looks: stdout, or stderr when stdout carries the JSON result.
  const say = (text: string): void => (json ? output.err(text) : output.out(text));
  const unicode = terminalIsUtf8(env);
  const result = await runOutsideCheck({
    ...(listenPort === undefined ? {} : { listenPort }),
    ...(externalPort === undefined ? {} : { externalPort }),
    ...(map ? { map } : {}),
    upnp,
    ...(natpmp ? { natpmpGateway: hostPortOption(natpmp, 'natpmp-gateway', 5351) } : {}),
    ...(publicIp ? { publicIp } : {}),
    ...(values['no-plextv'] === true
      ? {}
      : {
          lookupPublicIp: (signal: AbortSignal) =>
            createPlexTvClient({ timeoutMs: 3000, ...(plexTvUrl ? { baseUrl: plexTvUrl } : {}) }).publicIp({ signal }),
        }),
    timeoutMs,
    journalDir: configDir({ env }),
    signal: output.streams.signal,
    onNote: (line) => output.err(`${escapeTerminal(line)}\n`),
    onRefused: (source) =>
      output.err(
        `A visit from ${escapeTerminal(source.address)} (${source.kind === 'hairpin' ? "your home's own public address" : `${source.addressClass}, inside your network`}) did not count: turn off Wi-Fi on the phone and open the link again. Still waiting.\n`,
      ),
    onReady: ({ url, expiresAt }) => {
      say(
        `\nOpen this link on a phone that uses MOBILE DATA, not your Wi-Fi (turn Wi-Fi off first):\n\n  ${url}\n\n` +
          renderQr(url, { unicode, color: !json && output.color }) +
          `\nThe link works once, until ${expiresAt.toLocaleTimeString()} (about ${timeoutMs < 90_000 ? `${Math.round(timeoutMs / 1000)} s` : `${Math.round(timeoutMs / 60_000)} min`}). ` +
          'A visit from your own Wi-Fi does not count: it would never leave your home. Ctrl-C stops.\n',
      );
    },
  });

  if (saveTo) {
    try {
      await writeFile(saveTo, `${stringifyJson(result)}\n`, { mode: 0o600 });
    } catch (error) {
      output.err(`plex-diagnose: could not write ${saveTo} (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
    }
  }
  if (json) output.out(`${stringifyJson(result)}\n`);
  else output.out(`\n${summary(result)}`);
  if (json) output.err(summary(result));
  if (result.outcome === 'reached') return 0;
  if (result.outcome === 'interrupted') return 130;
  return 1;
}
