#!/usr/bin/env bash
# Set up, then run atrest's main job on sample data shipped in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
echo "# atrest decrypt: a Secret as stored in etcd by upstream kube-apiserver code (docs/samples/)" >&2
pnpm exec atrest decrypt --config docs/samples/encryption-config.yaml --resource secrets \
  --key /registry/secrets/kube-system/obj-d1690c --in docs/samples/secret.stored -o json
echo >&2
echo "# the same value, raw plaintext:" >&2
pnpm exec atrest decrypt --config docs/samples/encryption-config.yaml --resource secrets \
  --key /registry/secrets/kube-system/obj-d1690c --in docs/samples/secret.stored
echo
