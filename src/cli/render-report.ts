import { formatJson } from '../report/format/json.js';
import { formatMarkdown } from '../report/format/markdown.js';
import { formatText } from '../report/format/text.js';
import { redactReport } from '../core/redact-values.js';
import type { Report } from '../core/report.js';
import type { CliOutput } from './output.js';
import type { OutputSettings } from './validate-flags.js';

/**
 * The report in the format asked for; redaction happens here, once, for every format. Text and markdown are read by
 * people (and pasted into forums): their public addresses become documentation addresses. JSON may carry a snapshot
 * that is analysed again, so its public addresses stay public.
 */
export function renderReport(report: Report, output: CliOutput, settings: OutputSettings): string {
  const redacted = redactReport(report, {
    ips: settings.redactIps,
    secrets: output.secrets,
    documentationAddresses: !settings.json,
  });
  if (settings.json) return formatJson(redacted);
  if (settings.markdown) return formatMarkdown(redacted);
  return formatText(redacted, { color: output.color && !settings.noColor, verbose: settings.verbose });
}
