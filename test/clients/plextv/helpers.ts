/** Shared test helpers for the plex.tv tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/plextv/', import.meta.url));

/** A captured payload from test/fixtures/plextv/ (copied verbatim from shared/reference/payloads/). */
export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixture(name).toString('utf8')) as unknown;
}

/**
 * Every string reachable from an error: message, stack, own properties, cause chain, nested errors, and its JSON
 * form. A token must be in none of them.
 */
export function stringsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object') return [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '', String(value));
    out.push(...stringsOf((value as { cause?: unknown }).cause, seen));
  }
  for (const key of Object.getOwnPropertyNames(value)) {
    out.push(key, ...stringsOf((value as Record<string, unknown>)[key], seen));
  }
  try {
    out.push(JSON.stringify(value));
  } catch {
    // circular: the walk above covered it
  }
  return out;
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
