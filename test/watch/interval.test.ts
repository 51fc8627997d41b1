import { describe, expect, it } from 'vitest';
import { MAX_INTERVAL_MS, parseInterval } from '../../src/watch/interval.js';
import { UsageError } from '../../src/core/errors.js';

describe('parseInterval', () => {
  it.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h', 3_600_000],
    ['1500ms', 1500],
    ['90', 90_000],
    ['1.5', 1500],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    [' 10S ', 10_000],
    ['1d', 86_400_000],
    ['0.5m', 30_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['', 'abc', '5 minutes', '5x', 'm5', '-5s', '1h30', '1e3', '5m junk', 'ms'])('rejects junk: "%s"', (text) => {
    expect(() => parseInterval(text)).toThrow(UsageError);
    expect(() => parseInterval(text)).toThrow(/invalid interval.*e\.g\. 30s, 5m/);
  });

  it('enforces the 1 s minimum', () => {
    expect(parseInterval('1s')).toBe(1000);
    expect(parseInterval('1000ms')).toBe(1000);
    expect(() => parseInterval('999ms')).toThrow(/minimum is 1s/);
    expect(() => parseInterval('0')).toThrow(/minimum is 1s/);
  });

  it('refuses intervals beyond what a Node timer can hold (they would fire at once)', () => {
    expect(parseInterval('24d')).toBe(24 * 86_400_000);
    expect(24 * 86_400_000).toBeLessThanOrEqual(MAX_INTERVAL_MS);
    expect(() => parseInterval('25d')).toThrow(/maximum is 24d/);
  });
});
