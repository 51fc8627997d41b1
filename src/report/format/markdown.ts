/**
 * A forum-ready report: headings, a checks table, findings with evidence and fixes, the path as a mermaid diagram,
 * and the observations in a collapsed block. The caller redacts first (the CLI always does for --markdown).
 */
import type { Diagnosis, NetworkPath, Report } from '../../core/report.js';
import { groupChecks, groupStatusInfo } from './checks.js';
import { categoryTitle, formatMs } from './style.js';
import { summaryLine } from './text.js';

const ICON = { passed: '✅', info: '✅', warning: '⚠️', error: '❌', crashed: '💥', skipped: '⏭️', off: '⏭️' } as const;

/** Markdown table cells must not break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mermaidLabel(text: string): string {
  return text.replace(/"/g, "'").replace(/[<>]/g, '');
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

function diagnosisMarkdown(d: Diagnosis): string[] {
  const icon = d.severity === 'error' ? '❌' : d.severity === 'warning' ? '⚠️' : 'ℹ️';
  const lines = [
    `### ${icon} \`${d.ruleId}\`: ${d.message}`,
    '',
    `Confidence: **${d.confidence}**${d.rank === 'contributing' ? ` · explained by ${d.explainedBy.map((id) => `\`${id}\``).join(', ')}` : ''}`,
    '',
  ];
  for (const e of d.evidence)
    lines.push(`- *${e.source}*: ${e.observed}${e.expected ? ` (expected: ${e.expected})` : ''}`);
  if (d.fix) lines.push('', `**Fix:** ${d.fix.message}`);
  if (d.docsUrl) lines.push('', `[About this check](${d.docsUrl})`);
  lines.push('');
  return lines;
}

export function formatMarkdown(report: Report): string {
  const name = report.target.name ? ` "${report.target.name}"` : '';
  const lines = [
    `## plex-diagnose report${name}`,
    '',
    `plex-diagnose ${report.tool.version} · ${report.createdAt}`,
    '',
  ];
  if (report.path) lines.push(formatPathMermaid(report.path), '');
  lines.push('| | Check | Status |', '|---|---|---|');
  for (const group of groupChecks(report)) {
    if (group.status === 'off') continue;
    lines.push(`| ${ICON[group.status]} | ${cell(categoryTitle(group.category))} | ${cell(groupStatusInfo(group))} |`);
  }
  lines.push('');
  for (const d of report.diagnoses) lines.push(...diagnosisMarkdown(d));
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
