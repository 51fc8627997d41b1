/**
 * The doctor-style text report (flutter's glyphs and layout, expo's summary line): the path picture, a line per
 * check group, then each finding with its evidence, confidence and the exact fix, then one summary line.
 */
import { escapeStrings, escapeTerminal } from '../../core/escape.js';
import type { FixAction } from '../../rules/types.js';
import type { Diagnosis, NetworkPath, Report } from '../../core/report.js';
import { groupChecks, groupStatusInfo, type GroupStatus } from './checks.js';
import { categoryTitle, colors, evidenceText, formatMs, plural, type Colors, type FormatOptions } from './style.js';
import { candidateLines, missingLines, verdictHeadline } from './verdict.js';

const GROUP_BOX: Record<GroupStatus, string> = {
  passed: '[✓]',
  info: '[✓]',
  warning: '[!]',
  error: '[✗]',
  crashed: '[☠]',
  'not-checked': '[?]',
  off: '[-]',
};

const SEVERITY_MARK = { error: '✗', warning: '!', info: '•' } as const;

function paint(c: Colors, status: GroupStatus, text: string): string {
  if (status === 'error' || status === 'crashed') return c.red(text);
  if (status === 'warning') return c.yellow(text);
  if (status === 'not-checked') return c.yellow(text);
  if (status === 'off') return c.dim(text);
  return c.green(text);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function dots(title: string, width = 30): string {
  return `${title} ${'.'.repeat(Math.max(2, width - title.length))}`;
}

export function formatPathText(path: NetworkPath, c: Colors): string[] {
  const width = Math.max(...path.hops.map((hop) => hop.label.length));
  const lines: string[] = [];
  path.hops.forEach((hop, i) => {
    const mark =
      hop.status === 'broken'
        ? c.red('✗')
        : hop.status === 'warning'
          ? c.yellow('!')
          : hop.status === 'unknown'
            ? c.dim('?')
            : ' ';
    const label = hop.status === 'broken' ? c.red(c.bold(hop.label.padEnd(width))) : hop.label.padEnd(width);
    const note =
      hop.note && hop.status !== 'ok'
        ? `   ${hop.status === 'broken' ? c.red(`← ${hop.note}`) : c.yellow(`← ${hop.note}`)}`
        : '';
    lines.push(`  ${mark} ${label}  ${hop.detail ?? ''}${note}`.trimEnd());
    if (i < path.hops.length - 1) lines.push(`    ${c.dim('│')}`);
  });
  return lines;
}

export function describeAction(action: FixAction): string {
  if (action.type === 'set-pref') return `set ${action.pref}=${String(action.value)}`;
  const parts = [
    ...(action.add ?? []).map((entry) => `add ${entry}`),
    ...(action.remove ?? []).map((entry) => `remove ${entry}`),
    ...(action.replace ?? []).map(({ from, to }) => `change ${from} to ${to}`),
  ];
  return `edit ${action.pref}: ${parts.join(', ')}`;
}

function formatDiagnosis(d: Diagnosis, c: Colors, verbose: boolean): string[] {
  const mark =
    d.severity === 'error'
      ? c.red(SEVERITY_MARK.error)
      : d.severity === 'warning'
        ? c.yellow(SEVERITY_MARK.warning)
        : c.cyan(SEVERITY_MARK.info);
  const lines = [`${mark} ${c.bold(d.ruleId)}  ${d.message} ${c.dim(`(confidence: ${d.confidence})`)}`];
  if (d.rank === 'contributing') lines.push(`    ${c.dim(`explained by ${d.explainedBy.join(', ')}`)}`);
  for (const e of d.evidence) lines.push(`    • ${evidenceText(e)}`);
  if (d.fix) {
    lines.push(`    ${c.green('→ Fix:')} ${d.fix.message}`);
    for (const action of d.fix.actions) lines.push(`      ${c.dim('plex-diagnose fix can')} ${describeAction(action)}`);
  }
  if (verbose && d.docsUrl) lines.push(`    ${c.dim(`Docs: ${d.docsUrl}`)}`);
  return lines;
}

export function formatText(untrusted: Report, options: FormatOptions = {}): string {
  // Every string of the report is escaped here, at the formatter's data boundary, before any colour is added: a value
  // cannot break its line, forge a status line or send the terminal a control sequence (src/core/escape.ts).
  const report = escapeStrings(untrusted, escapeTerminal);
  const c = colors(options);
  const verbose = options.verbose ?? false;
  const name = report.target.name ? ` — "${report.target.name}"` : '';
  const lines = [
    c.bold(`plex-diagnose ${report.tool.version}${name}${report.target.url ? ` (${report.target.url})` : ''}`),
    '',
  ];
  if (report.path) lines.push(...formatPathText(report.path, c), '');

  for (const group of groupChecks(report)) {
    if (group.status === 'off' && !verbose) continue;
    // One line per group: the finding's full text follows below, so the status line only has to be recognisable.
    lines.push(
      `${paint(c, group.status, GROUP_BOX[group.status])} ${dots(categoryTitle(group.category))} ${shorten(groupStatusInfo(group), verbose ? 400 : 80)}`,
    );
    if (verbose) {
      for (const check of group.checks) {
        const reason = check.reason
          ? c.dim(` (${check.reason}${check.howToCheck ? ` → ${check.howToCheck}` : ''})`)
          : '';
        lines.push(`    ${check.status.padEnd(11)} ${check.ruleId}${reason}`);
        for (const e of check.evidence ?? []) lines.push(`        ${c.dim(`✓ ${evidenceText(e)}`)}`);
      }
    }
  }

  const rootCauses = report.diagnoses.filter((d) => d.rank === 'root-cause');
  const contributing = report.diagnoses.filter((d) => d.rank === 'contributing');
  const infos = report.diagnoses.filter((d) => d.rank === 'info');
  if (rootCauses.length > 0) lines.push('', c.bold(rootCauses.length === 1 ? 'Root cause' : 'Root causes'));
  for (const d of rootCauses) lines.push(...formatDiagnosis(d, c, verbose));
  if (contributing.length > 0) lines.push('', c.bold('Also found (explained by the above)'));
  for (const d of contributing) lines.push(...formatDiagnosis(d, c, verbose));
  if (infos.length > 0) lines.push('', c.bold('Notes'));
  for (const d of infos) lines.push(...formatDiagnosis(d, c, verbose));

  lines.push(...differentialText(report, c));
  if (report.verdict.status === 'inconclusive') {
    lines.push('', c.bold(c.yellow('Not checked (what a conclusive answer needs)')));
    for (const line of missingLines(report)) lines.push(`${c.yellow('?')} ${line}`);
  }

  const crashed = report.checks.filter((check) => check.status === 'crashed');
  if (crashed.length > 0) {
    lines.push('', c.red(c.bold('Crashed checks (a bug: please report it)')));
    for (const check of crashed) lines.push(`${c.red('☠')} ${check.ruleId}: ${check.reason ?? ''}`);
  }

  if (verbose) {
    lines.push('', c.bold('Observations'));
    for (const o of report.observations) {
      const detail =
        o.status === 'failed'
          ? ` ${o.error?.code ?? ''} ${o.error?.message ?? ''}`
          : o.status === 'skipped'
            ? ` ${o.reason ?? ''}`
            : '';
      lines.push(`  ${o.status.padEnd(7)} ${o.id.padEnd(26)} ${formatMs(o.durationMs).padStart(8)}${c.dim(detail)}`);
    }
  }

  lines.push('', summaryLine(report, c));
  return `${lines.join('\n')}\n`;
}

function differentialText(report: Report, c: Colors): string[] {
  const candidates = report.differential?.candidates ?? [];
  if (candidates.length === 0) return [];
  const lines = ['', c.bold('Possible causes (not decided by the evidence; most likely first)')];
  candidates.forEach((candidate, i) => {
    const parts = candidateLines(candidate, i);
    lines.push(parts.head);
    for (const line of parts.pointsTo) lines.push(`    ${c.green('+')} ${line}`);
    for (const line of parts.pointsAway) lines.push(`    ${c.red('-')} ${line}`);
    lines.push(`    ${c.cyan('→')} ${parts.next}`);
  });
  return lines;
}

/** Numbers only: safe to call on a report that was not escaped. */
export function summaryLine(report: Report, c: Colors = colors({})): string {
  const { summary } = report;
  const findings =
    summary.errors + summary.warnings === 0
      ? report.verdict.status === 'ok'
        ? c.green(verdictHeadline(report))
        : c.yellow(verdictHeadline(report))
      : [
          summary.errors ? c.red(plural(summary.errors, 'error')) : '',
          summary.warnings ? c.yellow(plural(summary.warnings, 'warning')) : '',
        ]
          .filter(Boolean)
          .join(', ') + '.';
  const ran = summary.checks.passed + summary.checks.failed;
  const parts = [
    `${plural(ran, 'check')} decided: ${summary.checks.passed} passed, ${summary.checks.failed} failed`,
    summary.checks['not-checked'] ? `${summary.checks['not-checked']} not checked` : '',
    summary.checks.crashed ? `${summary.checks.crashed} crashed` : '',
  ].filter(Boolean);
  return `${findings} ${parts.join(', ')} · collected in ${formatMs(report.timing.collectMs)}`;
}
