/**
 * `fix`: the Plex settings the diagnosis says to change, shown exactly (a dry run by default), applied with --yes (or
 * a confirmation on a TTY) with an undo journal; `fix --undo` restores the previous values.
 */
import { collect } from '../../diagnose/collect.js';
import { analyze } from '../../diagnose/diagnose.js';
import { UsageError } from '../../core/errors.js';
import { applyFix, fixJournalPath, isFixError, planFix, undoFix, type FixPlan } from '../../fix/index.js';
import { createServerClient } from '../../clients/server/client.js';
import type { CommandContext } from '../command-context.js';
import { prepareRun } from '../prepare-run.js';
import { confirm } from '../prompt.js';
import { createProgress } from '../spinner.js';
import { collectSettings } from '../validate-flags.js';
import { resolveTarget, resolveToken } from '../choose-server.js';

const show = (value: unknown): string => (value === undefined ? '(unset)' : JSON.stringify(value));

function describePlan(plan: FixPlan): string {
  const lines = plan.changes.map(
    (c) => `  ${c.pref}: ${show(c.from)} → ${show(c.to)}    (${c.ruleIds.join(', ')}: ${c.reasons[0] ?? ''})`,
  );
  for (const s of plan.skipped) lines.push(`  skipped ${s.pref} → ${show(s.to)}: ${s.reason}`);
  return lines.join('\n');
}

async function undo({ values, output }: CommandContext): Promise<number> {
  const settings = collectSettings(values, output.streams.env);
  const target = await resolveTarget(settings, output);
  const token = await resolveToken(settings, output, target);
  if (!token.token)
    throw new UsageError(
      token.withheld
        ? `fix --undo: the token is not sent there: ${token.withheld}`
        : "fix --undo needs the server owner's token (--token, PLEX_TOKEN or `plex-diagnose login`)",
    );
  const server = createServerClient({ baseUrl: target.url, token: token.token, timeoutMs: settings.timeoutMs });
  const journalPath =
    typeof values.journal === 'string'
      ? values.journal
      : fixJournalPath((await server.identity({ signal: output.streams.signal })).machineIdentifier, {
          env: output.streams.env,
        });
  // The token seals the journal (applyFix below): a journal edited by anyone without it is refused.
  const result = await undoFix({ server, journalPath, journalKey: token.token, signal: output.streams.signal });
  output.out(
    `Restored on ${target.url}:\n${result.restored.map((r) => `  ${r.pref} = ${show(r.previous)}`).join('\n')}\n`,
  );
  if (result.drifted.length)
    output.out(`Changed by hand since the fix (restored anyway): ${result.drifted.join(', ')}\n`);
  if (!result.verified)
    output.err(`could not verify: ${result.mismatches.map((m) => m.pref).join(', ') || result.verifyError}\n`);
  return result.verified ? 0 : 1;
}

export default async function fixCommand(context: CommandContext): Promise<number> {
  const { values, output } = context;
  try {
    if (values.undo === true) return await undo(context);
    const progress = createProgress(output);
    const run = await prepareRun(values, output, progress, { allowExperiments: false });
    if (!run.collectOptions.token && run.tokenWithheld)
      throw new UsageError(`fix: the token is not sent there: ${run.tokenWithheld}`);
    if (!run.collectOptions.token)
      throw new UsageError(
        "fix needs the server owner's token to read and change settings (--token, PLEX_TOKEN or `plex-diagnose login`)",
      );
    const snapshot = await collect(run.collectOptions);
    progress.stop();
    const report = analyze(snapshot, run.analyzeOptions);
    const prefs = snapshot.observations['server.prefs'];
    if (prefs?.status !== 'ok')
      throw new UsageError(
        `fix needs the server's settings, which could not be read (${prefs?.status === 'failed' ? prefs.error.message : 'not collected'})`,
      );
    const plan = planFix(report, prefs.value as Parameters<typeof planFix>[1]);
    if (plan.changes.length === 0) {
      output.out(
        `Nothing plex-diagnose can change for you.${plan.skipped.length ? `\n${describePlan(plan)}` : ''} ${report.diagnoses.length ? 'The report lists what to change by hand (router, ISP).' : ''}\n`,
      );
      return 0;
    }
    output.out(`Changes to the Plex settings of ${run.target.url}:\n${describePlan(plan)}\n`);
    const yes = values.yes === true || (await confirm(output.streams, 'Apply them?'));
    if (!yes) {
      output.out('Dry run: nothing changed. Run `plex-diagnose fix --yes` to apply.\n');
      return 0;
    }
    const server = createServerClient({
      baseUrl: run.target.url,
      token: run.collectOptions.token,
      timeoutMs: run.settings.timeoutMs,
    });
    const journalPath =
      typeof values.journal === 'string'
        ? values.journal
        : fixJournalPath(plan.machineIdentifier ?? snapshot.target.machineIdentifier ?? 'server', {
            env: output.streams.env,
          });
    const result = await applyFix(plan, {
      server,
      journalPath,
      journalKey: run.collectOptions.token,
      signal: output.streams.signal,
    });
    // A journal somewhere else is only found again when --undo is told where it is.
    const undoCommand = `plex-diagnose fix --undo${typeof values.journal === 'string' ? ` --journal ${values.journal}` : ''}`;
    const leftOut = result.skipped.map((s) => `  left out ${s.pref}: ${s.reason}\n`).join('');
    if (result.applied.length === 0) {
      // The plan was made from a read a moment ago; the server changed since (another run, or by hand).
      output.out(
        `Nothing applied: the server changed since the plan was made (another fix, or a change by hand):\n${leftOut}`,
      );
      return 0;
    }
    output.out(
      `Applied ${result.applied.length} change(s)${result.verified ? ', verified' : ''}. Undo with \`${undoCommand}\` (journal: ${result.journalPath ?? journalPath}).\n${leftOut}`,
    );
    if (!result.verified)
      output.err(
        `not confirmed by the server: ${result.mismatches.map((m) => m.pref).join(', ') || result.verifyError}\n`,
      );
    return result.verified ? 0 : 1;
  } catch (error) {
    // Journal and target problems are usage errors (exit 2); a server refusing the change is a failure (exit 1).
    if (isFixError(error) && error.code === 'PLEXDIAG_USAGE') throw new UsageError(error.message);
    throw error;
  }
}
