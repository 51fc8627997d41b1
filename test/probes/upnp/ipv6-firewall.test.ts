import { describe, expect, it } from 'vitest';
import { probeUpnp } from '../../../src/probes/upnp/probe.js';
import { UpnpProbeValue } from '../../../src/probes/upnp/schema.js';
import { useFakeIgds } from '../../helpers/fake-igd.js';

const fake = useFakeIgds();

async function probe(igd: { ssdpAddress: string }, timeoutMs = 3000): Promise<UpnpProbeValue> {
  const result = await probeUpnp({ ssdpAddress: igd.ssdpAddress, timeoutMs, callTimeoutMs: 800 });
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return UpnpProbeValue.parse(JSON.parse(JSON.stringify(result.value)));
}

describe('probeUpnp: WANIPv6FirewallControl:1 GetFirewallStatus (read-only)', () => {
  it('an IGD without the service: offered=false, and the service is never called', async () => {
    const igd = await fake();
    const value = await probe(igd);
    expect(value.ipv6Firewall).toEqual({ offered: false });
    expect(value.ipv6FirewallControlUrl).toBeUndefined();
    expect(igd.requests.soap.map((s) => s.action)).not.toContain('GetFirewallStatus');
  });

  it('reads a firewall that allows pinholes, from the control URL the description gives', async () => {
    const igd = await fake({ ipv6Firewall: { firewallEnabled: true, inboundPinholeAllowed: true } });
    const value = await probe(igd);
    expect(value.ipv6FirewallControlUrl).toBe(`http://${igd.host}:${igd.httpPort}/ctl/IP6FCtl`);
    expect(value.ipv6Firewall).toEqual({ offered: true, firewallEnabled: true, inboundPinholeAllowed: true });
    // Only the status is asked: no pinhole is added, nothing else on that service is called.
    const v6Calls = igd.requests.soap.filter((s) => /Pinhole|Firewall/.test(s.action)).map((s) => s.action);
    expect(v6Calls).toEqual(['GetFirewallStatus']);
  });

  it('reads a router that blocks inbound IPv6 and lets nobody open it', async () => {
    const igd = await fake({ ipv6Firewall: { firewallEnabled: true, inboundPinholeAllowed: false } });
    expect((await probe(igd)).ipv6Firewall).toEqual({
      offered: true,
      firewallEnabled: true,
      inboundPinholeAllowed: false,
    });
  });

  it('a half answer keeps what came and says what is missing', async () => {
    const igd = await fake({ ipv6Firewall: { firewallEnabled: true } });
    const value = await probe(igd);
    expect(value.ipv6Firewall).toMatchObject({ offered: true, firewallEnabled: true });
    expect(value.ipv6Firewall?.inboundPinholeAllowed).toBeUndefined();
    expect(value.ipv6Firewall?.error).toMatch(/InboundPinholeAllowed=\(absent\)/);
    expect(value.notes.join('\n')).toMatch(/IPv6 firewall status was read only in part/);
  });

  it('a lying answer (not a boolean) is no answer, not a guess', async () => {
    const igd = await fake({ ipv6Firewall: { firewallEnabled: 'perhaps', inboundPinholeAllowed: '<b>yes</b>' } });
    const firewall = (await probe(igd)).ipv6Firewall;
    expect(firewall?.firewallEnabled).toBeUndefined();
    expect(firewall?.inboundPinholeAllowed).toBeUndefined();
    expect(firewall?.error).toMatch(/FirewallEnabled="perhaps"/);
  });

  it('a firewall service that hangs costs only its own call: the rest of the probe still answers', async () => {
    const igd = await fake({
      ipv6Firewall: { firewallEnabled: true, inboundPinholeAllowed: true },
      faults: [{ path: '/ctl/IP6FCtl', fault: { kind: 'hang' } }],
    });
    const value = await probe(igd, 4000);
    expect(value.externalIp).toBe('84.1.1.2');
    expect(value.mappingsComplete).toBe(true);
    expect(value.ipv6Firewall).toMatchObject({ offered: true });
    expect(value.ipv6Firewall?.firewallEnabled).toBeUndefined();
    expect(value.ipv6Firewall?.error).toMatch(/GetFirewallStatus/);
  });

  it('a refusal (UPnP fault) is recorded with its code', async () => {
    const igd = await fake({
      ipv6Firewall: { firewallEnabled: true, inboundPinholeAllowed: true },
      faults: [
        {
          path: '/ctl/IP6FCtl',
          fault: {
            kind: 'status',
            status: 500,
            contentType: 'text/xml',
            body: '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>606</errorCode><errorDescription>Action not authorized</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>',
          },
        },
      ],
    });
    expect((await probe(igd)).ipv6Firewall?.error).toMatch(/refused: 606/);
  });
});
