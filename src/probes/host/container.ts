/**
 * Are we inside a container, and which runtime? A Plex server in a bridge-networked container advertises an address
 * nobody on the LAN can reach and "cannot automatically setup port forwarding on its own" (pms-docker README, in
 * docs/reference/plex-api.md §8). Evidence, strongest first: marker files the runtimes create, cgroup paths, mount
 * sources, env.
 */
import type { ContainerInfo, ContainerRuntime } from './schema.js';
import { hostFileExists, readHostFile, resolveSources, type HostSources } from './sources.js';

/** cgroup path fragments → runtime. Kubernetes first: its pods run on docker or containerd too. */
const CGROUP_PATTERNS: { pattern: RegExp; runtime: ContainerRuntime }[] = [
  { pattern: /kubepods/, runtime: 'kubernetes' },
  { pattern: /libpod[-_]|\/libpod\//, runtime: 'podman' },
  { pattern: /\/docker[/-][0-9a-f]{12,}|docker-[0-9a-f]{12,}\.scope/, runtime: 'docker' },
  { pattern: /\/lxc\/|lxc\.payload/, runtime: 'lxc' },
  { pattern: /containerd/, runtime: 'containerd' },
  { pattern: /machine\.slice\/.*nspawn|systemd-nspawn/, runtime: 'systemd-nspawn' },
];

/** Mount sources that only exist inside containers (cgroup v2 hosts show "0::/" in /proc/self/cgroup). */
const MOUNT_PATTERNS: { pattern: RegExp; runtime: ContainerRuntime }[] = [
  { pattern: /\/kubelet\/pods\//, runtime: 'kubernetes' },
  { pattern: /\/docker\/containers\/[0-9a-f]{12,}/, runtime: 'docker' },
  { pattern: /\/containers\/storage\/overlay-containers\//, runtime: 'podman' },
];

const RUNTIME_PRIORITY: ContainerRuntime[] = [
  'kubernetes',
  'podman',
  'docker',
  'lxc',
  'containerd',
  'systemd-nspawn',
  'other',
];

const shorten = (line: string): string => (line.length > 120 ? `${line.slice(0, 117)}...` : line);

export async function detectContainer(sources: HostSources = {}): Promise<ContainerInfo> {
  const { fsRoot, env } = resolveSources(sources);
  const evidence: string[] = [];
  const runtimes = new Set<ContainerRuntime>();
  const found = (runtime: ContainerRuntime, fact: string): void => {
    runtimes.add(runtime);
    evidence.push(fact);
  };

  if (await hostFileExists(fsRoot, '.dockerenv')) found('docker', '/.dockerenv exists');
  if (await hostFileExists(fsRoot, 'run/.containerenv')) {
    const engine = /^engine="?([^"\n]+)"?$/m.exec((await readHostFile(fsRoot, 'run/.containerenv')) ?? '')?.[1];
    found('podman', `/run/.containerenv exists${engine ? ` (engine ${engine})` : ''}`);
  }
  // One line of evidence per runtime per kind of source: PID 1 and self usually repeat each other.
  const fromCgroup = new Set<ContainerRuntime>();
  for (const file of ['proc/1/cgroup', 'proc/self/cgroup']) {
    const lines = ((await readHostFile(fsRoot, file)) ?? '').split('\n');
    for (const { pattern, runtime } of CGROUP_PATTERNS) {
      const line = lines.find((candidate) => pattern.test(candidate));
      if (!line || fromCgroup.has(runtime)) continue;
      fromCgroup.add(runtime);
      found(runtime, `/${file}: ${shorten(line.trim())}`);
    }
  }
  const mountinfo = (await readHostFile(fsRoot, 'proc/self/mountinfo')) ?? '';
  for (const { pattern, runtime } of MOUNT_PATTERNS) {
    const line = mountinfo.split('\n').find((candidate) => pattern.test(candidate));
    if (line) found(runtime, `/proc/self/mountinfo: ${shorten(line.trim())}`);
  }
  if (rootIsOverlay(mountinfo)) evidence.push('the root filesystem is an overlay mount (container image layers)');
  const containerEnv = env.container?.trim();
  if (containerEnv) {
    const runtime =
      (['docker', 'podman', 'lxc', 'systemd-nspawn'] as const).find((name) => containerEnv === name) ?? 'other';
    found(runtime, `environment variable container=${containerEnv}`);
  }
  if (env.KUBERNETES_SERVICE_HOST) found('kubernetes', 'environment variable KUBERNETES_SERVICE_HOST is set');

  const runtime = RUNTIME_PRIORITY.find((candidate) => runtimes.has(candidate));
  // An overlay root alone is not enough: live systems and some installers use one too.
  return { inContainer: runtime !== undefined, ...(runtime ? { runtime } : {}), evidence };
}

/** mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER". */
function rootIsOverlay(mountinfo: string): boolean {
  return mountinfo.split('\n').some((line) => {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    return fields[4] === '/' && dash > 0 && fields[dash + 1] === 'overlay';
  });
}
