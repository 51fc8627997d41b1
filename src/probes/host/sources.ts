/**
 * Everything the host probe reads, injectable so tests run against fixture trees written to a temp dir instead of
 * this machine's /proc.
 */
import { readFile, stat } from 'node:fs/promises';
import { hostname as osHostname, networkInterfaces as osNetworkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';

export interface HostSources {
  /** Root that /proc, /.dockerenv and /run/.containerenv are read relative to. @default '/' */
  fsRoot?: string;
  /** @default os.networkInterfaces */
  networkInterfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default os.hostname */
  hostname?: () => string;
  /** Environment variables (`container`, `KUBERNETES_SERVICE_HOST`). @default process.env */
  env?: Record<string, string | undefined>;
}

/** Files past this are not ours to read whole (mountinfo on a busy Kubernetes node stays far below). */
const MAX_FILE_BYTES = 1024 * 1024;

export function resolveSources(sources: HostSources = {}): Required<HostSources> {
  return {
    fsRoot: sources.fsRoot ?? '/',
    networkInterfaces: sources.networkInterfaces ?? osNetworkInterfaces,
    platform: sources.platform ?? process.platform,
    hostname: sources.hostname ?? osHostname,
    env: sources.env ?? process.env,
  };
}

/** Reads a text file under fsRoot; undefined when missing, unreadable or too large. */
export async function readHostFile(fsRoot: string, path: string): Promise<string | undefined> {
  try {
    const full = join(fsRoot, path);
    const info = await stat(full);
    // /proc files report size 0 but are small; a regular file past the cap is not what we expect.
    if (info.size > MAX_FILE_BYTES) return undefined;
    const text = await readFile(full, 'utf8');
    return text.length > MAX_FILE_BYTES ? text.slice(0, MAX_FILE_BYTES) : text;
  } catch {
    return undefined;
  }
}

export async function hostFileExists(fsRoot: string, path: string): Promise<boolean> {
  try {
    await stat(join(fsRoot, path));
    return true;
  } catch {
    return false;
  }
}
