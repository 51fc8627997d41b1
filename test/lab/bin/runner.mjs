// Shared by the runner scripts started inside lab namespaces: config from argv, the built package, the ready line.
// Plain ESM JavaScript so `node` starts them directly (no TypeScript loader inside every namespace).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The JSON object passed as the first argument. */
export function config() {
  const raw = process.argv[2];
  if (!raw) throw new Error(`${process.argv[1]}: expected a JSON config as the first argument`);
  return JSON.parse(raw);
}

/**
 * Imports the built package (`dist/` or PD_LAB_DIST) and checks it exports `names`: a missing export is a clear
 * error here rather than "x is not a function" later.
 */
export async function loadDist(entry, names) {
  const dir = process.env.PD_LAB_DIST ? resolve(process.env.PD_LAB_DIST) : join(REPO_ROOT, 'dist');
  const file = join(dir, entry);
  if (!existsSync(file))
    throw new Error(`${file} does not exist: run \`npm run build\` before the lab (or set PD_LAB_DIST)`);
  const module = await import(pathToFileURL(file).href);
  const missing = names.filter((name) => typeof module[name] !== 'function');
  if (missing.length > 0)
    throw new Error(`${file} does not export ${missing.join(', ')} (the lab needs them from the public build)`);
  return module;
}

/** One log line with a time stamp (logs go to <labdir>/<name>.log). */
export function log(...parts) {
  const text = parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${text}\n`);
}

/** The line the harness waits for (test/lab/harness/processes.ts READY_MARK). */
export function ready(info) {
  process.stdout.write(`PD_LAB_READY ${JSON.stringify(info)}\n`);
}

/** Prints the requests a fake records, as they come (the fakes never record token values). */
export function followRequests(requests, format) {
  let seen = 0;
  setInterval(() => {
    while (seen < requests.length) log(format(requests[seen++]));
  }, 100).unref();
}

// A runner that throws must die loudly (the harness reports the log tail), never linger half-started.
process.on('uncaughtException', (error) => {
  log('fatal:', error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  log('fatal (rejection):', error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
