// Adds up vitest JSON reports and prints the plain "N passed, N failed" line CI reads.
// A missing or unreadable report (a suite that crashed before reporting) counts as one failure.
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    // A test file that failed to load has no test results but a failed suite.
    for (const suite of report.testResults ?? []) {
      if (suite.status === "failed" && (suite.assertionResults ?? []).length === 0) failed += 1;
    }
    if ((report.numTotalTests ?? 0) === 0) {
      console.error(`${file}: no tests ran`);
      failed += 1;
    }
  } catch (err) {
    console.error(`${file}: no readable report (${err.message})`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
