#!/usr/bin/env bash
# Set up (dependencies, build, Go and etcd when missing) and run the whole test suite.
# Ends with the plain line "tests: N passed, M failed" (from vitest's JSON report).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-system-deps
mkdir -p .tmp
rm -f .tmp/vitest-report.json
status=0
# The linter (biome.json: no floating promises, no unused variables or imports, type-only imports
# as such) runs first; a finding fails the run, after the tests have run too.
pnpm exec biome lint || status=1
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@" || status=1
if [ -f .tmp/vitest-report.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".tmp/vitest-report.json", "utf8"));
    const failed = r.numFailedTests + (r.numFailedTestSuites ?? 0); // a suite that fails to load counts too
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
fi
exit "$status"
