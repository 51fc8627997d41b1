/**
 * Where an outside check was really made from. Only a reflector at a public address, that saw us arrive from a
 * public address that is not its own, looked at us from outside. A reflector on loopback is a test; one on the LAN
 * (or a VPN/tailnet range) and one at our own public address (NAT loopback, "hairpin") prove nothing about the
 * internet's view: rules must never take them as outside truth.
 */
import { z } from 'zod';
import { classifyAddress } from '../core/net/address.js';

export const OutsideVantage = z.enum(['reflector', 'loopback-test', 'lan', 'hairpin', 'private-source', 'unknown']);
export type OutsideVantage = z.infer<typeof OutsideVantage>;

export interface VantageInput {
  /** The address our connection to the reflector reached. */
  reflectorAddress: string | undefined;
  /** The address the reflector saw us come from. */
  sourceSeen: string;
  /** This network's public address as plex.tv saw it, when known. */
  publicIp?: string | undefined;
}

export interface VantageVerdict {
  vantage: OutsideVantage;
  /** True only for `reflector`: the one vantage whose results say what the internet sees. */
  outside: boolean;
  reason: string;
}

export function classifyVantage(input: VantageInput): VantageVerdict {
  const verdict = (vantage: OutsideVantage, reason: string): VantageVerdict => ({
    vantage,
    outside: vantage === 'reflector',
    reason,
  });
  if (!input.reflectorAddress) return verdict('unknown', 'the address of the reflector connection is not known');
  const reflector = classifyAddress(input.reflectorAddress);
  if (reflector === 'loopback') return verdict('loopback-test', 'the reflector runs on this machine (loopback)');
  if (reflector !== 'public')
    return verdict('lan', `the reflector is at a ${reflector} address: inside a network we share, not the internet`);
  if (input.publicIp && sameAddress(input.publicIp, input.reflectorAddress))
    return verdict('hairpin', "the reflector is at this network's own public address (NAT loopback proves nothing)");
  const source = classifyAddress(input.sourceSeen);
  if (source !== 'public')
    return verdict(
      'private-source',
      `the reflector saw us from a ${source} address (a VPN or tunnel between us): our public forward was not tested`,
    );
  return verdict('reflector', 'a reflector at a public address connected back to the public address it saw');
}

function sameAddress(a: string, b: string): boolean {
  const strip = (text: string): string => text.replace(/^::ffff:/i, '').toLowerCase();
  return strip(a) === strip(b);
}
