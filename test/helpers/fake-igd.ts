import { afterEach } from 'vitest';
import { startFakeIgd, type FakeIgd, type FakeIgdOptions } from '../../src/testing/fake-igd/index.js';

/** A fake IGD per call (external address 84.1.1.2 unless given), all closed after each test. */
export function useFakeIgds(): (options?: Partial<FakeIgdOptions>) => Promise<FakeIgd> {
  const open: FakeIgd[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((igd) => igd.close()));
  });
  return async (options = {}) => {
    const igd = await startFakeIgd({ externalIp: '84.1.1.2', ...options });
    open.push(igd);
    return igd;
  };
}
