#!/usr/bin/env bash
# Set up (dependencies, build, Go and etcd when missing) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-system-deps
exec pnpm exec vitest run "$@"
