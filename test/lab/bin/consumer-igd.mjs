// A consumer router's UPnP IGD in the router namespace: the project's fake IGD on 192.168.1.1:5000, answering SSDP
// multicast on the LAN and reporting the router's real WAN address (also a private or 100.64/10 one, which real
// consumer routers behind a modem or CGNAT report and miniupnpd refuses to: docs/reference/netlab.md "What failed" 2),
// and applying a real nft DNAT rule for every mapping it holds.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { config, loadDist, log, ready } from './runner.mjs';

const options = config();
const { startFakeIgd } = await loadDist('testing.js', ['startFakeIgd']);
const SSDP_GROUP = '239.255.255.250';
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const igd = await startFakeIgd({
  host: options.lanAddress,
  httpPort: 5000,
  // Its own responder only answers unicast; the relay below brings it the LAN's multicast searches.
  ssdpPort: 0,
  externalIp: options.externalIp,
  secureMode: options.secureMode,
  friendlyName: 'Consumer router',
  server: 'Linux/5.4 UPnP/1.0 ConsumerRouter/1.0',
});

/** The nft rules for the table; entries that are not plain IPv4/port/protocol values are skipped, never interpolated. */
function rulesFor(mappings) {
  const lines = [`flush chain inet filter ${options.chain}`];
  for (const m of mappings) {
    const valid =
      m.enabled &&
      IPV4.test(m.internalClient) &&
      [m.externalPort, m.internalPort].every((p) => Number.isInteger(p) && p > 0 && p < 65536) &&
      (m.protocol === 'TCP' || m.protocol === 'UDP');
    if (!valid) continue;
    const from = m.remoteHost && IPV4.test(m.remoteHost) ? ` ip saddr ${m.remoteHost}` : '';
    lines.push(
      `add rule inet filter ${options.chain} iifname "${options.wanInterface}"${from} ${m.protocol.toLowerCase()} dport ${m.externalPort} dnat ip to ${m.internalClient}:${m.internalPort}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let applied = '';
function apply(mappings) {
  const rules = rulesFor(mappings);
  if (rules === applied) return;
  // Synchronous on purpose: the rule must be in place before the SOAP answer leaves, as on a real router.
  execFileSync('nft', ['-f', '-'], { input: rules });
  applied = rules;
  log(
    `nft: ${mappings.length} mapping(s) applied`,
    mappings.map((m) => `${m.protocol} ${m.externalPort}->${m.internalClient}:${m.internalPort}`),
  );
}

/**
 * Calls `onChange` synchronously whenever the fake's live mapping table changes. A stand-in for an
 * `onMappingsChanged` hook the fake IGD does not have (yet): its actions mutate `state.mappings` in place
 * (push/splice/index assignment), so a Proxy over that array sees every change before the SOAP reply is sent.
 */
function watchMappings(state, onChange) {
  const table = state.mappings;
  state.mappings = new Proxy(table, {
    set(target, key, value) {
      target[key] = value;
      onChange(target);
      return true;
    },
    deleteProperty(target, key) {
      delete target[key];
      onChange(target);
      return true;
    },
  });
}

apply(igd.mappings());
watchMappings(igd.state, (table) => apply(table.filter(Boolean)));

// SSDP: listen on the group like a router does, hand each M-SEARCH to the fake's unicast responder, and send its
// replies back to the searcher from port 1900.
const multicast = createSocket({ type: 'udp4', reuseAddr: true });
multicast.on('error', (error) => log('ssdp error:', error.message));
multicast.on('message', (message, from) => {
  if (from.address === options.lanAddress || !/^M-SEARCH \* HTTP\/1\.1\r?\n/i.test(message.toString('latin1'))) return;
  const relay = createSocket('udp4');
  relay.on('error', () => undefined);
  relay.on('message', (reply) => multicast.send(reply, from.port, from.address));
  relay.bind(0, options.lanAddress, () => relay.send(message, igd.ssdpPort, options.lanAddress));
  // Replies come within the searcher's MX; the fake answers at once.
  setTimeout(() => relay.close(), 5000).unref();
});
await new Promise((resolve) => multicast.bind(1900, '0.0.0.0', resolve));
multicast.addMembership(SSDP_GROUP, options.lanAddress);

log(`consumer IGD at ${igd.location}, external IP "${options.externalIp}", secure mode ${options.secureMode}`);
ready({ location: igd.location, externalIp: options.externalIp });
