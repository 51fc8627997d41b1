import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A captured output (test/fixtures/firewall/capture.sh: the real nft 1.0.6 and iptables 1.8.9 in a namespace). */
export function captured(name: string): string {
  return readFileSync(join(__dirname, '../../../fixtures/firewall/captured', name), 'utf8');
}

export const toPlex = (family: 4 | 6 = 4, inInterface?: string) => ({
  family,
  port: 32400,
  ...(inInterface ? { inInterface } : {}),
});
