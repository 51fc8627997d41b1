/**
 * What diagnose, collect, watch and fix share before any evidence is gathered: settings, user rules, the target and
 * the token, and (opt-in) the alternate-port experiment, explained and confirmed before it changes anything.
 */
import type { CollectOptions } from '../diagnose/collect.js';
import type { AnalyzeOptions } from '../diagnose/diagnose.js';
import { UsageError } from '../core/errors.js';
import { alternatePortCollector } from '../experiments/alternate-port/collector.js';
import { alternatePortJournalPath, restorePendingExperiment, type AlternatePortResult } from '../experiments/index.js';
import { builtinRules } from '../rules/builtin/index.js';
import { resolveRules } from '../rules/config.js';
import { createServerClient } from '../clients/server/client.js';
import type { OptionValue } from './parse-argv.js';
import { getOrCreateClientIdentifier } from '../this-host/config-file.js';
import type { CliOutput } from './output.js';
import { loadUserExtensions } from './load-user-rules.js';
import { confirm } from './prompt.js';
import type { Progress } from './spinner.js';
import { collectSettings, ruleSettings, type CollectSettings } from './validate-flags.js';
import { describeToken, resolveTarget, resolveToken, type ResolvedTarget } from './choose-server.js';

export interface PreparedRun {
  settings: CollectSettings;
  target: ResolvedTarget;
  tokenProvided: boolean;
  collectOptions: CollectOptions;
  analyzeOptions: AnalyzeOptions;
  /** Resolves once every experiment has restored (or kept) what it changed. */
  settled(): Promise<AlternatePortResult[]>;
}

const EXPERIMENT_EXPLANATION = [
  'The alternate-port experiment tests whether your ISP blocks the public port. It will:',
  '  1. ask your router (UPnP) to forward a random high port to the server, for at most an hour;',
  '  2. set Plex to that public port (Settings → Remote Access → manual port);',
  '  3. ask Plex once to re-check remote access, and wait up to a minute for the verdict;',
  '  4. put the port setting back and remove the forward (also on Ctrl-C), unless you passed --keep.',
].join('\n');

export async function prepareRun(
  values: Record<string, OptionValue>,
  output: CliOutput,
  progress: Progress,
  options: { allowExperiments: boolean } = { allowExperiments: true },
): Promise<PreparedRun> {
  const settings = collectSettings(values, output.streams.env);
  const ruleOptions = ruleSettings(values);
  const extensions = await loadUserExtensions(ruleOptions.modules, output.streams.cwd);
  const rules = [...builtinRules, ...extensions.rules];
  // Config mistakes (unknown rule id, category) are usage errors now, not after a minute of probing.
  resolveRules(rules, ruleOptions.ruleConfig, ruleOptions.only);

  const target = await resolveTarget(settings, output);
  const token = await resolveToken(settings, output, target);
  progress.note(
    `server: ${target.url}${target.source === 'gdm' ? ' (found by GDM)' : target.source === 'default' ? ' (default: no --url and no GDM answer)' : ''}`,
  );
  progress.note(describeToken(token));
  const clientIdentifier =
    settings.plexTv && token.token ? await getOrCreateClientIdentifier({ env: output.streams.env }) : undefined;

  const runs: Promise<AlternatePortResult>[] = [];
  const collectors = [...extensions.collectors];
  const journalPath = alternatePortJournalPath({ env: output.streams.env });
  if (settings.experiments.includes('alternate-port')) {
    if (!options.allowExperiments) throw new UsageError('--experiment is not available for this command');
    if (!token.token)
      throw new UsageError("--experiment alternate-port needs the server owner's token (it changes a server setting)");
    output.err(`${EXPERIMENT_EXPLANATION}\n`);
    if (!settings.yes && !(await confirm(output.streams, 'Run it?'))) {
      throw new UsageError(
        output.streams.stdin.isTTY
          ? 'experiment not confirmed'
          : '--experiment changes settings on your server and router: pass --yes to run it without a prompt',
      );
    }
  }
  // An experiment killed before it could restore (a second Ctrl-C, a crash, a reboot) left a journal: any run with the
  // owner's token puts things back first, as bin.ts promises ("restored on the next run"), not only the next experiment.
  if (token.token) {
    const server = createServerClient({ baseUrl: target.url, token: token.token, timeoutMs: settings.timeoutMs });
    const pending = await restorePendingExperiment({ server, journalPath });
    if (pending.found)
      progress.note(
        pending.journalRemoved
          ? 'restored what an interrupted experiment had changed'
          : `an interrupted experiment could not be fully restored: ${pending.restored?.errors.join('; ')}`,
      );
  }
  if (settings.experiments.includes('alternate-port')) {
    collectors.push(
      alternatePortCollector({
        keep: settings.keep,
        journalPath,
        onStep: (step) =>
          progress.note(
            `  experiment: ${step.name}${step.ok ? '' : ' FAILED'}${step.detail ? `: ${step.detail}` : ''}`,
          ),
        track: (run) => void runs.push(run),
      }),
    );
  }

  const collectOptions: CollectOptions = {
    url: target.url,
    ...(token.token ? { token: token.token } : {}),
    plexTv:
      settings.plexTv === false ? false : { ...settings.plexTv, ...(clientIdentifier ? { clientIdentifier } : {}) },
    rules,
    ruleConfig: ruleOptions.ruleConfig,
    ...(ruleOptions.only ? { only: ruleOptions.only } : {}),
    collectors,
    collectorTimeoutMs: settings.timeoutMs,
    network: settings.network,
    ...(Object.keys(settings.declared).length ? { declared: settings.declared } : {}),
    experiments: settings.experiments,
    signal: output.streams.signal,
    onProgress: (event) => progress.onProgress(event),
  };
  return {
    settings,
    target,
    tokenProvided: Boolean(token.token),
    collectOptions,
    analyzeOptions: {
      rules,
      ruleConfig: ruleOptions.ruleConfig,
      ...(ruleOptions.only ? { only: ruleOptions.only } : {}),
    },
    settled: () => Promise.all(runs),
  };
}
