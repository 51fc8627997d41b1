import { it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { scenarios, startScenario } from '../../src/testing/scenarios/index.js';
it('prints verdicts', async () => {
  for (const name of Object.keys(scenarios)) {
    const run = await startScenario(name);
    const report = await diagnose(run.options).finally(() => run.close());
    const counts = report.summary.checks;
    for (const c of report.checks) if (name === "healthy") console.log(`CHECK ${c.ruleId} ${c.status} ${c.reason ?? ""} ${(c.evidence ?? []).map((e) => e.observed).join(" | ")}`);
    console.log(`VERDICT ${name}: ${report.verdict.status} first=${report.diagnoses[0]?.ruleId ?? '-'} passed=${counts.passed} failed=${counts.failed} notChecked=${counts['not-checked']} candidates=${(report.differential?.candidates ?? []).map((c) => c.ruleId).join(',')}`);
  }
}, 120000);
