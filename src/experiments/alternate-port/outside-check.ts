/**
 * The alternate port, checked by a reflector outside while the experiment's mapping is in place (`--reflector`): the
 * proof that the ISP filters Plex's port then no longer rests on plex.tv's check alone. The vantage is classified the
 * same way as probe.outside's: only a reflector at a public address that saw our public address is outside. Never
 * throws: a refusal, a dead reflector or a timeout is recorded as `ok: false` with the reason.
 */
import type { CollectServices } from '../../collect/services.js';
import type { AlternatePortOutside } from '../../collect/values/alternate-port.js';
import { classifyVantage } from '../../outside/vantage.js';

export type AlternatePortOutsideCheck = (externalPort: number, signal?: AbortSignal) => Promise<AlternatePortOutside>;

export interface OutsideCheckContext {
  /** This network's public address as plex.tv saw it (decides a hairpin). */
  publicIp?: string | undefined;
  /** This server's machineIdentifier, which the alternate port's /identity must name. */
  machineIdentifier?: string | undefined;
  /** The reflector exchange's deadline. @default 20000 */
  timeoutMs?: number;
}

/** The check, when a reflector was given; undefined otherwise. */
export function alternatePortOutsideCheck(
  services: Pick<CollectServices, 'outside' | 'probes'>,
  context: OutsideCheckContext,
): AlternatePortOutsideCheck | undefined {
  const settings = services.outside;
  if (!settings) return undefined;
  return async (port, signal) => {
    const result = await services.probes.outside({
      reflectorUrl: settings.reflectorUrl,
      secret: settings.secret,
      ports: [{ port, identity: 'http' }],
      ...(settings.caCertificates ? { caCertificates: settings.caCertificates } : {}),
      ...(context.timeoutMs ? { timeoutMs: context.timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    });
    if (result.status === 'failed')
      return { ok: false, outside: false, port, error: `${result.error.code}: ${result.error.message}` };
    const { response, reflectorAddress } = result.value;
    const verdict = classifyVantage({
      reflectorAddress,
      sourceSeen: response.source.address,
      publicIp: context.publicIp,
    });
    const seen = response.results.find((r) => r.port === port);
    const identity = seen?.identity;
    const expected = context.machineIdentifier?.toLowerCase();
    const who =
      seen?.tcp.state !== 'open' || identity?.status !== 'ok'
        ? 'none'
        : identity.bodyKind !== 'plex-identity' || identity.httpStatus !== 200 || !identity.machineIdentifier
          ? 'not-plex'
          : !expected
            ? 'none'
            : identity.machineIdentifier.toLowerCase() === expected
              ? 'this'
              : 'other';
    return {
      ok: true,
      vantage: verdict.vantage,
      outside: verdict.outside,
      vantageReason: verdict.reason,
      sourceSeen: response.source.address,
      port,
      ...(seen ? { state: seen.tcp.state } : {}),
      identity: who,
    };
  };
}

/** One line for the experiment's step list. */
export function describeOutsideCheck(check: AlternatePortOutside): string {
  if (!check.ok) return `reflector: ${check.error ?? 'no answer'}`;
  return `reflector (${check.vantage}${check.outside ? '' : ', not outside'}) saw ${check.sourceSeen}:${check.port} ${check.state ?? '?'}, identity ${check.identity ?? 'none'}`;
}
