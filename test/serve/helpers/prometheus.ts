/** parse-prometheus-text-format (no bundled types) with the shape it returns, and a lookup by name and labels. */
import { createRequire } from 'node:module';

export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export function parsePrometheus(text: string): MetricFamily[] {
  return parse(text);
}

/** The value of one series, or undefined when the family or the series is missing. */
export function valueOf(
  families: MetricFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.find((f) => f.name === name);
  const series = family?.metrics.find((m) => Object.entries(labels).every(([key, value]) => m.labels?.[key] === value));
  return series === undefined ? undefined : Number(series.value);
}
