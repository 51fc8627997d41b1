import type { Report } from '../../core/report.js';

/** The Report as stable JSON (the `--json` output): the same data the library returns. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
