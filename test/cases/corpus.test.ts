/**
 * The partial-evidence corpus as a regression set: no case may end "ok" (every one is broken), each names its cause
 * first, and the candidates it lists include the expected ones.
 */
import { describe, expect, it } from 'vitest';
import { CORPUS, runCase } from './corpus.js';

describe('partial-evidence corpus', () => {
  it('has at least 30 cases with unique ids', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const outcome = runCase(c);
    expect(outcome.verdict, 'a broken setup is never ok').not.toBe('ok');
    expect(outcome.verdict).toBe(c.expect.verdict);
    if (c.expect.cause) expect(outcome.first).toBe(c.expect.cause);
    for (const candidate of c.expect.candidates ?? []) expect(outcome.named).toContain(candidate);
  });
});
