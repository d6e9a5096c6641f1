#!/usr/bin/env bash
# Set up, then run atrest's main job on sample data shipped in the repo: an offline audit of a real
# etcd snapshot of an encrypted cluster (test-vectors/etcd/sample.db), old revisions included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
echo "# atrest audit test-vectors/etcd/sample.db (config: docs/samples/snapshot-audit-config.yaml;" >&2
echo "#   its kms v2 plugin is played by upstream's Base64 mock, as when the snapshot was made)" >&2
pnpm exec atrest audit test-vectors/etcd/sample.db --config docs/samples/snapshot-audit-config.yaml \
  --kms-mock sample-kms=base64:kek-1 --history
