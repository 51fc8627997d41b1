// The layer rules (.dependency-cruiser.cjs) bite: over a fixture tree with a deliberate back-arrow, a sibling arrow
// and a cycle, dependency-cruiser reports exactly those; over the real src/ it reports nothing.
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/architecture/', import.meta.url));

async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(`${ROOT}.dependency-cruiser.cjs`);
  const result = await cruise(['src'], { ...options, baseDir });
  if (typeof result.output === 'string') throw new Error(`unexpected string output: ${result.output.slice(0, 200)}`);
  return result.output;
}

const brief = (violation: IViolation): string =>
  violation.cycle
    ? `${violation.rule.name}: ${violation.cycle.map((step) => step.name).join(' → ')}`
    : `${violation.rule.name}: ${violation.from} → ${violation.to}`;

describe('architecture: the dependency-cruiser rules', () => {
  describe('over a fixture tree with deliberate violations', () => {
    let violations: string[];
    beforeAll(async () => {
      violations = (await cruiseSrc(FIXTURE)).summary.violations.map(brief).sort();
    }, 60_000);

    it('reports a back-arrow (core importing http)', () => {
      expect(violations).toContain('layer-core: src/core/errors.ts → src/http/transport.ts');
    });

    it('reports an arrow between siblings of one layer (probes importing clients)', () => {
      expect(violations).toContain('layer-probes: src/probes/tcp.ts → src/clients/server.ts');
    });

    it('reports the cycle, though neither arrow crosses a layer', () => {
      const cycles = violations.filter((line) => line.startsWith('no-circular:'));
      // Reported once, with the whole loop: engine → rank → engine (or the same loop from rank).
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toContain('src/rules/engine.ts');
      expect(cycles[0]).toContain('src/rules/rank.ts');
    });

    it('reports nothing else: the legal downward arrow (http → core) passes', () => {
      expect(violations.filter((line) => !line.startsWith('no-circular:'))).toEqual([
        'layer-core: src/core/errors.ts → src/http/transport.ts',
        'layer-probes: src/probes/tcp.ts → src/clients/server.ts',
      ]);
    });
  });

  it('finds no violation in the real src/, with every import resolved', async () => {
    const result = await cruiseSrc(ROOT);
    expect(result.summary.violations.map(brief)).toEqual([]);
    // A tree that resolved nothing would pass every rule: make sure the cruise saw the layers and their arrows.
    const paths = result.modules.map((module) => module.source);
    expect(paths).toContain('src/index.ts');
    expect(paths).toContain('src/cli/main.ts');
    expect(result.summary.totalDependenciesCruised).toBeGreaterThan(500);
  }, 120_000);
});
