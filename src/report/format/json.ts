import { stringifyJson } from '../../core/escape.js';
import type { Report } from '../../core/report.js';

/**
 * The Report as stable JSON (the `--json` output): the same data the library returns. DEL, C1 and bidi characters in
 * its strings are written as `\uXXXX` escapes (JSON.stringify leaves them raw), so the text is safe in a terminal and
 * still parses back to the same report.
 */
export function formatJson(report: Report): string {
  return `${stringifyJson(report)}\n`;
}
