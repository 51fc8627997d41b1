// Adds or deletes a port mapping with the project's IGD client (built package), after SSDP discovery.
// argv[2]: { action: 'add' | 'delete', externalPort, internalPort?, internalClient?, protocol? ('TCP'), timeoutMs? (2000) }
// Prints { discovery, result } as JSON (discovery failures are data too).
import { loadDist } from './runner.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const { discoverIgd, createIgdClient } = await loadDist('probes.js', ['discoverIgd', 'createIgdClient']);
const timeoutMs = options.timeoutMs ?? 2000;
const discovery = await discoverIgd({ timeoutMs });
if (discovery.status !== 'ok') {
  process.stdout.write(`${JSON.stringify({ discovery })}\n`);
} else {
  const client = createIgdClient(discovery.value, { timeoutMs });
  const protocol = options.protocol ?? 'TCP';
  const result =
    options.action === 'delete'
      ? await client.deletePortMapping(options.externalPort, protocol)
      : await client.addPortMapping({
          externalPort: options.externalPort,
          internalPort: options.internalPort ?? options.externalPort,
          internalClient: options.internalClient,
          protocol,
          description: options.description ?? 'plex-diagnose lab',
          leaseSeconds: options.leaseSeconds ?? 600,
        });
  process.stdout.write(`${JSON.stringify({ discovery, result })}\n`);
}
