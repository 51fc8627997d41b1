/**
 * The API reports: one `api/<entry>.api.md` per package entry (tsup.config.ts's LIBRARY_ENTRIES), written by
 * @microsoft/api-extractor from the built .d.ts files, so every change to the public surface shows up as a reviewed
 * diff. `--update` rewrites the reports; without it (CI) nothing is written and the run exits 1 when any entry's
 * surface differs from its committed report. Run `npm run build` first: the reports describe what ships.
 *
 * One config (api-extractor.json, the root entry's) serves every entry; only the entry file and the report name
 * change. One compiler state serves all eight runs (one TypeScript program instead of eight).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompilerState,
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
} from '@microsoft/api-extractor';
import { LIBRARY_ENTRIES } from '../tsup.config.js';

const update = process.argv.includes('--update');
const root = join(import.meta.dirname, '..');
const configPath = join(root, 'api-extractor.json');
const packageJsonFullPath = join(root, 'package.json');

/** `api/plex-diagnose.api.md` for the root, `api/<subpath>.api.md` for the others. */
export function reportNameOf(entry: string): string {
  return entry === 'index' ? 'plex-diagnose' : entry;
}

function configFor(entry: string): ExtractorConfig {
  const configObject = ExtractorConfig.loadFile(configPath);
  configObject.mainEntryPointFilePath = `<projectFolder>/dist/${entry}.d.ts`;
  configObject.apiReport = { ...configObject.apiReport!, reportFileName: reportNameOf(entry) };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: configPath, packageJsonFullPath });
}

const entries = Object.keys(LIBRARY_ENTRIES);
const missing = entries.filter((entry) => !existsSync(join(root, 'dist', `${entry}.d.ts`)));
if (missing.length > 0) {
  console.error(`No build for ${missing.join(', ')}: run \`npm run build\` first.`);
  process.exit(1);
}

if (update) mkdirSync(join(root, 'api'), { recursive: true });
const configs = entries.map((entry) => [entry, configFor(entry)] as const);
const compilerState = CompilerState.create(configs[0]![1], {
  additionalEntryPoints: configs.map(([, config]) => config.mainEntryPointFilePath),
});

const QUIET = new Set<string>([
  'console-api-report-not-copied',
  'console-api-report-copied',
  'console-api-report-created',
  'console-preamble',
]);
const changed: string[] = [];
const problems: string[] = [];
for (const [entry, config] of configs) {
  const result = Extractor.invoke(config, {
    localBuild: update,
    compilerState,
    messageCallback: (message: ExtractorMessage) => {
      // The "copy this file" advice is replaced by one line at the end, and the bundled-TypeScript notice is noise.
      if (QUIET.has(message.messageId)) {
        message.logLevel = ExtractorLogLevel.None;
        message.handled = true;
      }
    },
  });
  if (result.apiReportChanged) changed.push(`api/${reportNameOf(entry)}.api.md`);
  if (result.errorCount + result.warningCount > 0)
    problems.push(`${entry}: ${result.errorCount} error(s), ${result.warningCount} warning(s) (see above)`);
}

if (problems.length > 0) console.error(`API Extractor reported problems:\n  ${problems.join('\n  ')}`);
if (update) {
  console.log(changed.length > 0 ? `API reports updated:\n  ${changed.join('\n  ')}` : 'API reports: no change');
} else if (changed.length > 0) {
  console.error(
    `The public API changed without its report (run \`npm run api:update\`, review and commit the diff):\n  ${changed.join('\n  ')}`,
  );
}
if (problems.length > 0 || (!update && changed.length > 0)) process.exit(1);
if (!update) console.log(`API reports OK (${entries.length} entries)`);
