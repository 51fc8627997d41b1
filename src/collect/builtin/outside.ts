/**
 * `probe.outside`: a reflector outside the network connects back to us on Plex's public port (TCP, TLS names,
 * /identity) and on every forward the user listed. The vantage is recorded as it is: a reflector on loopback, on the
 * LAN or at our own public address is not outside, and the value says so (rules read `outside`).
 */
import { classifyAddress } from '../../core/net/address.js';
import { MAX_PORTS_PER_REQUEST, PROTOCOL_VERSION, type PortCheckRequest } from '../../outside/protocol.js';
import { reflectorDisplayUrl } from '../../outside/client.js';
import { classifyVantage } from '../../outside/vantage.js';
import { OutsideCheckValue } from '../values/outside.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { probeBudget, unwrapProbe } from './probe-value.js';

type Ctx = CollectorContext<CollectServices>;

const DEFAULT_PLEX_PORT = 32400;

/**
 * The external port Plex asks plex.tv to test: the manual setting, else what the server reported, else what it mapped
 * automatically, else 32400. The same order as the rules' `publicPort` fact (src/rules/facts.ts), which this layer
 * cannot import.
 */
function plexPublicPort(ctx: Ctx): { port: number; source: string } {
  const network = ctx.get('server.prefs')?.network;
  if (network?.ManualPortMappingMode && network.ManualPortMappingPort)
    return { port: network.ManualPortMappingPort, source: 'manual' };
  const reported = ctx.get('server.account')?.publicPort;
  if (reported) return { port: reported, source: 'reported' };
  if (network?.LastAutomaticMappedPort) return { port: network.LastAutomaticMappedPort, source: 'automatic' };
  return { port: DEFAULT_PLEX_PORT, source: 'default' };
}

export const probeOutsideCollector = defineCollector({
  id: 'probe.outside',
  title: 'Outside check (reflector connect-back)',
  // The reflector gives up after 15 s; a filtered port costs its whole TCP deadline.
  timeoutMs: 25_000,
  after: ['server.identity', 'server.prefs', 'server.account', 'plextv.publicIp'],
  schema: OutsideCheckValue,
  async collect(ctx: Ctx) {
    const settings = ctx.services.outside;
    if (!settings) return ctx.skip('no reflector given (--reflector URL): nothing checked from outside');
    const plex = plexPublicPort(ctx);
    const forwards = (settings.forwards ?? []).filter((forward) => forward.port !== plex.port);
    const plexCheck: PortCheckRequest = { port: plex.port, tls: true, identity: 'http' };
    const ports: PortCheckRequest[] = [plexCheck, ...forwards].slice(0, MAX_PORTS_PER_REQUEST);
    const answer = unwrapProbe(
      await ctx.services.probes.outside({
        reflectorUrl: settings.reflectorUrl,
        secret: settings.secret,
        ports,
        ...(settings.caCertificates ? { caCertificates: settings.caCertificates } : {}),
        timeoutMs: probeBudget(ctx.timeoutMs),
        signal: ctx.signal,
      }),
    );
    const expected = ctx.get('server.identity')?.machineIdentifier;
    const publicIp = ctx.get('plextv.publicIp')?.address;
    const { response, reflectorAddress } = answer;
    const verdict = classifyVantage({ reflectorAddress, sourceSeen: response.source.address, publicIp });
    return OutsideCheckValue.parse({
      protocolVersion: PROTOCOL_VERSION,
      vantage: verdict.vantage,
      outside: verdict.outside,
      vantageReason: verdict.reason,
      reflector: {
        url: reflectorDisplayUrl(settings.reflectorUrl),
        ...(reflectorAddress ? { address: reflectorAddress, addressClass: classifyAddress(reflectorAddress) } : {}),
      },
      sourceSeen: { address: response.source.address, class: classifyAddress(response.source.address) },
      ...(publicIp ? { publicIp: { address: publicIp, agrees: publicIp === response.source.address } } : {}),
      ...(expected ? { expectedMachineIdentifier: expected } : {}),
      ports: response.results.map((result) => {
        const seen = result.identity?.status === 'ok' ? result.identity.machineIdentifier : undefined;
        return {
          ...result,
          role: result.port === plex.port ? 'plex' : 'forward',
          ...(result.port === plex.port ? { portSource: plex.source } : {}),
          ...(seen && expected ? { identityMatches: seen.toLowerCase() === expected.toLowerCase() } : {}),
        };
      }),
    });
  },
});
