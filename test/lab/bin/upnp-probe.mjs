// The project's UPnP probe (built package) from inside a namespace; prints its ProbeResult as JSON.
// argv[2]: ProbeUpnpOptions (optional).
import { loadDist } from './runner.mjs';

const { probeUpnp } = await loadDist('probes.js', ['probeUpnp']);
const result = await probeUpnp(JSON.parse(process.argv[2] ?? '{}'));
process.stdout.write(`${JSON.stringify(result)}\n`);
