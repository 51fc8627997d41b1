/**
 * The end-to-end scenarios of issue 7: each builds a real network (test/lab/harness), may change it a little before
 * the run (a port forward a user made with `upnpc`, a refresh of plex.tv's reachability check), and names what the
 * CLI, run on the server's LAN host, must answer: its top diagnosis (`diagnoses[0]`: rule, message, confidence) and its
 * exit code. `node --import tsx test/lab/hold.ts <id>` holds one up to look at by hand.
 */
import type { Lab, LabScenario } from './harness/index.js';
import { forward, LAN_HOST, refreshAndReadAccount } from './support.js';

export interface ExpectedTop {
  ruleId: string;
  messageId: string;
  confidence: 'high' | 'medium' | 'low';
}

export interface CliScenario {
  /** Short name, also what hold.ts takes. */
  id: string;
  /** What the scenario is, in the words. */
  title: string;
  lab: LabScenario;
  /** Extra CLI arguments after `--json --url ... --token ... --timeout 4s`. @default [] */
  args?: string[];
  /** Changes made before the CLI runs (as the user's network would be), from inside the lab. @default none */
  prepare?: (lab: Lab) => Promise<void>;
  /** The top diagnosis, or `null` for "no diagnosis at all". */
  top: ExpectedTop | null;
  exitCode: 0 | 1;
  /** Why the expected answer is the right one, where that needs reasoning (shown in the test name's neighbourhood). */
  why?: string;
}

export interface UpnpcMapping {
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
}

/**
 * A port forward made the way a user makes one from a LAN machine: miniupnpc's `upnpc -a` (an independent UPnP client,
 * not the project's). `upnpc -a <internal ip> <internal port> <external port> TCP`.
 */
export async function upnpcAdd(
  lab: Lab,
  externalPort: number,
  internalClient: string,
  internalPort = 32400,
): Promise<void> {
  const run = await lab.exec(
    'lan',
    ['upnpc', '-e', 'forwarded by hand', '-a', internalClient, String(internalPort), String(externalPort), 'TCP'],
    { timeoutMs: 10_000 },
  );
  if (run.code !== 0 || !/is redirected to internal/.test(run.stdout))
    throw new Error(
      `lab: upnpc -a ${internalClient} ${internalPort} ${externalPort} failed:\n${run.stdout}${run.stderr}`,
    );
}

/** The router's mapping table as `upnpc -l` lists it (` 0 TCP 32400->192.168.1.10:32400 'Plex Media Server' '' 7196`). */
export async function upnpcList(lab: Lab): Promise<UpnpcMapping[]> {
  const run = await lab.exec('lan', ['upnpc', '-l'], { timeoutMs: 10_000 });
  if (!run.stdout.includes('Found valid IGD'))
    throw new Error(`lab: upnpc -l found no IGD:\n${run.stdout}${run.stderr}`);
  return [...run.stdout.matchAll(/^\s*\d+\s+(TCP|UDP)\s+(\d+)->([\d.]+):(\d+)\s+'([^']*)'/gm)].map((m) => ({
    protocol: m[1]!,
    externalPort: Number(m[2]),
    internalClient: m[3]!,
    internalPort: Number(m[4]),
    description: m[5]!,
  }));
}

/** Asks the fake PMS to publish again and wait for plex.tv's connect-back, so its mapping state describes the network as it is now. */
async function refresh(lab: Lab): Promise<void> {
  await refreshAndReadAccount(lab);
}

const ISP_DROPS_32400 = { block: [{ port: 32400, action: 'drop' as const }] };

export const LAB_SCENARIOS: CliScenario[] = [
  {
    id: 'healthy-manual',
    title: 'healthy: a manual forward of 32400, Plex in manual mode',
    lab: { name: 'healthy-manual', router: { forwards: [forward(32400)] } },
    top: null,
    exitCode: 0,
  },
  {
    id: 'isp-blocks',
    title: 'the ISP drops 32400 while the router forwards it (Plex mapped it over UPnP)',
    lab: {
      name: 'isp-blocks',
      router: { upnp: 'miniupnpd' },
      plex: { portMapping: 'automatic' },
      isp: ISP_DROPS_32400,
    },
    top: { ruleId: 'isp-blocks-port', messageId: 'likely', confidence: 'medium' },
    exitCode: 1,
  },
  {
    id: 'isp-blocks-experiment',
    title: 'the ISP drops 32400, with --experiment alternate-port --yes',
    lab: {
      name: 'isp-blocks-experiment',
      router: { upnp: 'miniupnpd' },
      plex: { portMapping: 'automatic' },
      isp: ISP_DROPS_32400,
    },
    args: ['--experiment', 'alternate-port', '--yes'],
    top: { ruleId: 'isp-blocks-port', messageId: 'proven', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'no-forward',
    title: 'no forward and no UPnP or NAT-PMP on the router, Plex in automatic mode',
    lab: { name: 'no-forward', plex: { portMapping: 'automatic' } },
    top: { ruleId: 'no-port-forward', messageId: 'noAutomaticMapping', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'upnp-healthy',
    title: 'healthy through UPnP: miniupnpd maps the port Plex asks for',
    lab: { name: 'upnp-healthy', router: { upnp: 'miniupnpd' }, plex: { portMapping: 'automatic' } },
    top: null,
    exitCode: 0,
  },
  {
    id: 'wrong-host',
    title: 'the router forwards 32400 to the wrong LAN host (192.168.1.99), Plex in manual mode on 32400',
    lab: {
      name: 'wrong-host',
      router: { upnp: 'miniupnpd', upnpSecureMode: false },
      plex: { portMapping: 'manual', manualPort: 32400 },
    },
    prepare: async (lab) => {
      // secure_mode off: miniupnpd accepts a mapping for another host, as a router's web page would.
      await upnpcAdd(lab, 32400, '192.168.1.99');
      await refresh(lab);
    },
    top: { ruleId: 'manual-port-mismatch', messageId: 'wrongHost', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'manual-port-not-forwarded',
    title: "Plex's manual public port (40000) is not the port the router forwards (32400)",
    lab: {
      name: 'manual-port-not-forwarded',
      router: { upnp: 'miniupnpd' },
      plex: { portMapping: 'manual', manualPort: 40000 },
    },
    prepare: async (lab) => {
      await upnpcAdd(lab, 32400, LAN_HOST);
      await refresh(lab);
    },
    top: { ruleId: 'manual-port-mismatch', messageId: 'otherPortForwarded', confidence: 'high' },
    exitCode: 1,
    why:
      "The router's table is readable (UPnP) and lists a forward to the server, on 32400: the evidence names the port that IS " +
      'forwarded, so the finding is "another port is forwarded" (fix: use 32400), not "no forward for 40000" (which is for a ' +
      'table with no forward to the server at all).',
  },
  {
    id: 'double-nat-igd',
    title: 'double NAT: Plex maps 32400 on the inner (consumer) router, whose IGD reports its WAN 10.0.0.2',
    lab: {
      name: 'double-nat-igd',
      wan: 'double-nat',
      router: { upnp: 'consumer-igd' },
      plex: { portMapping: 'automatic' },
    },
    top: { ruleId: 'double-nat', messageId: 'privateWan', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'double-nat-miniupnpd',
    title: 'double NAT: a manual forward on the inner router only; its miniupnpd reports no external address',
    lab: { name: 'double-nat-miniupnpd', wan: 'double-nat', router: { upnp: 'miniupnpd', forwards: [forward(32400)] } },
    top: { ruleId: 'double-nat', messageId: 'wanNotPublic', confidence: 'medium' },
    exitCode: 1,
  },
  {
    id: 'cgnat',
    title: "CGNAT: the router's WAN is 100.64.0.2/10 (its IGD says so), the ISP translates to 84.0.0.1",
    lab: { name: 'cgnat', wan: 'cgnat', router: { upnp: 'consumer-igd' }, plex: { portMapping: 'automatic' } },
    top: { ruleId: 'cgnat', messageId: 'sharedAddressSpace', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'container',
    title:
      "Docker-style bridge: the server in a container at 172.17.0.2 behind the host's DNAT, advertising 172.17.0.2",
    lab: { name: 'container', container: { bridge: '172.17.0.0/16' }, router: { forwards: [forward(32400)] } },
    top: { ruleId: 'container-address-advertised', messageId: 'containerAddressOnly', confidence: 'high' },
    exitCode: 1,
  },
  {
    id: 'dns-rebinding',
    title: 'the LAN resolver (dnsmasq --stop-dns-rebind) drops private plex.direct answers',
    lab: { name: 'dns-rebinding', dns: 'rebind-protect', router: { forwards: [forward(32400)] } },
    top: { ruleId: 'plex-direct-dns-rebinding', messageId: 'rebindingBlocked', confidence: 'high' },
    // A warning: remote access works, local secure connections fall back. The default --fail-on is error.
    exitCode: 0,
  },
];
