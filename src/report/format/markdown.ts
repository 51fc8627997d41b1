/**
 * A forum-ready report: headings, a checks table, findings with evidence and fixes, the path as a mermaid diagram,
 * and the observations in a collapsed block. The caller redacts first (the CLI always does for --markdown).
 *
 * Every string of the report is markdown-escaped once, at the top of formatMarkdown (src/core/escape.ts): a value
 * cannot open HTML, a link or a code span, nor leave its list item or table cell. The mermaid block and the docs link
 * read the raw values and escape them for their own syntax.
 */
import { escapeMarkdown, escapeStrings, escapeTerminal, safeLinkUrl } from '../../core/escape.js';
import type { Diagnosis, NetworkPath, Report } from '../../core/report.js';
import { groupChecks, groupStatusInfo } from './checks.js';
import { categoryTitle, evidenceSource, formatMs } from './style.js';
import { candidateLines, missingLines } from './verdict.js';
import { summaryLine } from './text.js';

const ICON = {
  passed: '✅',
  info: '✅',
  warning: '⚠️',
  error: '❌',
  crashed: '💥',
  'not-checked': '❔',
  off: '⏭️',
} as const;

/**
 * Table cells: the report's values are escaped already (a pipe is `\|`, a newline is `\u000a` text); escaping the
 * pipes again would turn `\|` into `\\|`, which GFM reads as a backslash and a cell border. Our own joins stay on one line.
 */
function cell(text: string): string {
  return text.replace(/\n/g, ' ');
}

const MERMAID_ENTITIES: Record<string, string> = {
  '"': '#quot;',
  '<': '#lt;',
  '>': '#gt;',
  '&': '#amp;',
  '#': '#35;',
  '`': '#96;',
};

/** A node label: mermaid entity codes for what would end the label, open HTML or start an entity of its own. */
function mermaidLabel(text: string): string {
  return escapeTerminal(text).replace(/["<>&#`]/g, (char) => MERMAID_ENTITIES[char]!);
}

export function formatPathMermaid(path: NetworkPath): string {
  const lines = ['```mermaid', 'flowchart LR'];
  path.hops.forEach((hop, i) => {
    const label = [hop.label, hop.detail]
      .filter((part): part is string => Boolean(part))
      .map(mermaidLabel)
      .join('<br/>');
    lines.push(`  h${i}["${label}"]`);
  });
  path.hops.forEach((hop, i) => {
    if (i === 0) return;
    const broken = hop.status === 'broken';
    lines.push(`  h${i - 1} ${broken ? '-. ✗ .->' : '-->'} h${i}`);
  });
  path.hops.forEach((hop, i) => {
    if (hop.status === 'broken') lines.push(`  style h${i} fill:#fdd,stroke:#c00`);
    else if (hop.status === 'warning') lines.push(`  style h${i} fill:#ffd,stroke:#a80`);
  });
  lines.push('```');
  return lines.join('\n');
}

function diagnosisMarkdown(d: Diagnosis, rawDocsUrl: string | undefined): string[] {
  const icon = d.severity === 'error' ? '❌' : d.severity === 'warning' ? '⚠️' : 'ℹ️';
  const lines = [
    `### ${icon} \`${d.ruleId}\`: ${d.message}`,
    '',
    `Confidence: **${d.confidence}**${d.rank === 'contributing' ? ` · explained by ${d.explainedBy.map((id) => `\`${id}\``).join(', ')}` : ''}`,
    '',
  ];
  for (const e of d.evidence)
    lines.push(`- *${evidenceSource(e)}*: ${e.observed}${e.expected ? ` (expected: ${e.expected})` : ''}`);
  if (d.fix) lines.push('', `**Fix:** ${d.fix.message}`);
  // Only an http(s) URL becomes a link (a user rule's docsUrl could say `javascript:`).
  const docsUrl = safeLinkUrl(rawDocsUrl);
  if (docsUrl) lines.push('', `[About this check](<${docsUrl}>)`);
  lines.push('');
  return lines;
}

function differentialMarkdown(report: Report): string[] {
  const candidates = report.differential?.candidates ?? [];
  if (candidates.length === 0) return [];
  const lines = ['### Possible causes (most likely first)', ''];
  candidates.forEach((candidate, i) => {
    const parts = candidateLines(candidate, i);
    lines.push(`${parts.head}`);
    for (const line of parts.pointsTo) lines.push(`   - ➕ ${line}`);
    for (const line of parts.pointsAway) lines.push(`   - ➖ ${line}`);
    lines.push(`   - **Next step:** ${parts.next}`);
  });
  lines.push('');
  return lines;
}

export function formatMarkdown(untrusted: Report): string {
  const report = escapeStrings(untrusted, escapeMarkdown);
  const name = report.target.name ? ` "${report.target.name}"` : '';
  const lines = [
    `## plex-diagnose report${name}`,
    '',
    `plex-diagnose ${report.tool.version} · ${report.createdAt}`,
    '',
  ];
  if (untrusted.path) lines.push(formatPathMermaid(untrusted.path), '');
  lines.push('| | Check | Status |', '|---|---|---|');
  for (const group of groupChecks(report)) {
    if (group.status === 'off') continue;
    lines.push(`| ${ICON[group.status]} | ${cell(categoryTitle(group.category))} | ${cell(groupStatusInfo(group))} |`);
  }
  lines.push('');
  report.diagnoses.forEach((d, i) => lines.push(...diagnosisMarkdown(d, untrusted.diagnoses[i]?.docsUrl)));
  lines.push(...differentialMarkdown(report));
  if (report.verdict.status === 'inconclusive') {
    lines.push('### ❔ Not checked (what a conclusive answer needs)', '');
    for (const line of missingLines(report)) lines.push(`- ${line}`);
    lines.push('');
  }
  lines.push(
    `**Summary:** ${summaryLine(report)}`,
    '',
    '<details><summary>Observations</summary>',
    '',
    '| Observation | Status | Time | Detail |',
    '|---|---|---|---|',
  );
  for (const o of report.observations) {
    const detail = o.status === 'failed' ? `${o.error?.code ?? ''}: ${o.error?.message ?? ''}` : (o.reason ?? '');
    lines.push(`| \`${o.id}\` | ${o.status} | ${formatMs(o.durationMs)} | ${cell(detail)} |`);
  }
  lines.push('', '</details>', '');
  return lines.join('\n');
}
