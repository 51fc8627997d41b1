/**
 * `--serve [HOST:]PORT`: where the page listens. The host defaults to 127.0.0.1; an IPv6 host is written in brackets
 * (`[::1]:8080`). Anything but loopback needs `--serve-auth` (checked by the caller, which knows the flags).
 */
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port (the startup line says which). */
  port: number;
}

export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65535)
    throw new UsageError(`--serve "${text.slice(0, 60)}" is not [HOST:]PORT (e.g. 8080, 127.0.0.1:8080, [::1]:8080)`);
  const raw = match[1] ?? '127.0.0.1';
  const host = raw.startsWith('[') ? raw.slice(1, -1) : raw;
  if (host !== 'localhost' && isIP(host) === 0)
    throw new UsageError(`--serve host "${host.slice(0, 60)}" must be an IP address or localhost`);
  return { host, port };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
