/**
 * The snapshot: everything collected, as versioned JSON. `collect > s.json` on the server's host and `analyze s.json`
 * elsewhere give the same report; rule tests are snapshots in, diagnoses out. Never holds the token.
 */
import { z } from 'zod';
import { SnapshotError, type ValidationIssue } from './errors.js';
import { Observation } from './observation.js';

export const SNAPSHOT_SCHEMA_VERSION = 1;

/** What loading needs of a collector: its id and the schema of its value (a structural slice of `Collector`). */
export interface SnapshotValueSchema {
  readonly id: string;
  readonly schema?: z.ZodType;
}

export const SnapshotTarget = z.looseObject({
  /** The PMS base URL the run was pointed at. */
  url: z.string().optional(),
  machineIdentifier: z.string().optional(),
  name: z.string().optional(),
});

export const SnapshotContext = z.looseObject({
  /** Whether a token was available (the token itself never is). */
  tokenProvided: z.boolean(),
  /** Whether plex.tv was consulted. */
  plexTv: z.boolean(),
  /** Opt-in experiments that ran (e.g. "alternate-port"). */
  experiments: z.array(z.string()),
  /** Where the collection ran: 'server-host' when the target was a local address of this machine. */
  vantage: z.string().optional(),
});

export const Snapshot = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  durationMs: z.number(),
  target: SnapshotTarget,
  context: SnapshotContext,
  redaction: z.object({ token: z.literal(true), ips: z.boolean() }),
  observations: z.record(z.string(), Observation),
});
export type Snapshot = z.infer<typeof Snapshot>;

function issuesOf(error: z.ZodError, prefix: (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
    message: issue.message,
  }));
}

function describe(issues: ValidationIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parses and validates a snapshot (a JSON string or an already-parsed object). Values of known collectors are
 * checked against their schemas, so a hand-edited or truncated file fails here with a path, not later in a rule.
 */
export function loadSnapshot(input: unknown, options: { collectors?: readonly SnapshotValueSchema[] } = {}): Snapshot {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (cause) {
      throw new SnapshotError(`the snapshot is not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > SNAPSHOT_SCHEMA_VERSION) {
    throw new SnapshotError(
      `the snapshot has schema version ${version}, newer than this plex-diagnose understands (${SNAPSHOT_SCHEMA_VERSION}): upgrade plex-diagnose`,
    );
  }
  const parsed = Snapshot.safeParse(data);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new SnapshotError(`not a plex-diagnose snapshot (${describe(issues)})`, { issues });
  }
  const snapshot = parsed.data;
  const schemas = new Map((options.collectors ?? []).filter((c) => c.schema).map((c) => [c.id, c.schema!]));
  const issues: ValidationIssue[] = [];
  for (const [id, observation] of Object.entries(snapshot.observations)) {
    const schema = schemas.get(id);
    if (!schema || observation.status !== 'ok') continue;
    const value = schema.safeParse(observation.value);
    if (value.success) observation.value = value.data;
    else issues.push(...issuesOf(value.error, ['observations', id, 'value']));
  }
  if (issues.length > 0)
    throw new SnapshotError(`the snapshot has values of the wrong shape (${describe(issues)})`, { issues });
  return snapshot;
}
