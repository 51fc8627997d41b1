// Resolves a name with the system resolver (getaddrinfo, i.e. the namespace's /etc/resolv.conf, which
// `ip netns exec` bind-mounts from /etc/netns/<ns>/resolv.conf). Prints { addresses } or { error: { code } }.
import { lookup } from 'node:dns/promises';

const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: lookup.mjs <name>\n');
  process.exit(2);
}
try {
  const found = await lookup(name, { all: true, family: 4 });
  process.stdout.write(`${JSON.stringify({ addresses: found.map((entry) => entry.address) })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
}
