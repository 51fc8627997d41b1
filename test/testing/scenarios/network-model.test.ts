import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../../src/testing/scenarios/define.js';
import {
  createNetworkModel,
  resolveForwards,
  type ResolvedForward,
} from '../../../src/testing/scenarios/network-model.js';

const base = { title: 't', description: 'd', expected: 'healthy' as const };
const toServer: ResolvedForward = {
  externalPort: 32400,
  internalClient: '192.168.1.10',
  internalPort: 32400,
  description: 'Plex Media Server',
};
const model = (network: Parameters<typeof defineScenario>[0]['network'], forwards: ResolvedForward[] = [toServer]) =>
  createNetworkModel(defineScenario({ name: 'm', ...base, ...(network ? { network } : {}) }), 32400, () => forwards);

describe('network model', () => {
  it('lets the internet reach a forwarded port on a router that holds the public address', () => {
    expect(model({}).reachFromInternet(32400)).toEqual({ kind: 'server' });
    expect(model({}).reachFromInternet(32401)).toEqual({ kind: 'timeout' });
    expect(model({}, []).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
  });

  it('drops inbound traffic at the ISP, a second NAT, CGNAT, a NAT beyond the router, and a VPN exit', () => {
    expect(model({ ispBlockedPorts: [32400] }).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    expect(model({ router: { wan: '192.168.0.2' } }).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    expect(model({ router: { wan: '100.72.14.3' } }).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    expect(model({ router: { wan: '' } }).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    expect(model({ publicAddress: '84.9.9.9' }).reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    const vpn = model({ vpn: { interface: 'wg0', exitAddress: '185.65.135.77' } });
    expect(vpn.reachFromInternet(32400)).toEqual({ kind: 'timeout' });
    expect(vpn.serverSeenAt).toBe('185.65.135.77');
  });

  it('loops LAN connections to the public address back through the forward, unless the router cannot', () => {
    expect(model({}).reachFromLan('84.1.1.2', 32400)).toEqual({ kind: 'server' });
    expect(model({}).reachFromLan('84.1.1.2', 443)).toEqual({ kind: 'refused' });
    expect(model({ router: { natLoopback: false } }).reachFromLan('84.1.1.2', 32400)).toEqual({ kind: 'timeout' });
    // The ISP filter is upstream: a looped-back connection never crosses it.
    expect(model({ ispBlockedPorts: [32400] }).reachFromLan('84.1.1.2', 32400)).toEqual({ kind: 'server' });
  });

  it('reaches a container address only from its own host', () => {
    expect(model({ container: { address: '172.18.0.3' } }).reachFromLan('172.18.0.3', 32400)).toEqual({
      kind: 'server',
    });
    const fromLaptop = model({ container: { address: '172.18.0.3' }, vantage: 'lan' });
    expect(fromLaptop.reachFromLan('172.18.0.3', 32400)).toEqual({ kind: 'timeout' });
    expect(fromLaptop.reachFromLan('192.168.1.10', 32400)).toEqual({ kind: 'server' });
    expect(fromLaptop.privateAddress).toBe('172.18.0.3');
    expect(fromLaptop.vantageAddress).toBe('192.168.1.23');
  });

  it('fills in forward defaults with the port the fake really listens on', () => {
    expect(resolveForwards([{ externalPort: 443 }], 41234)).toEqual([
      { externalPort: 443, internalClient: '192.168.1.10', internalPort: 41234, description: 'Plex Media Server' },
    ]);
  });
});
