#!/usr/bin/env bash
# Key rotation, offline, step by step: add a key, make it the writer, re-encrypt, remove the old key.
# Runs from the repository root after `bash scripts/setup.sh`; the test suite runs it too.
# Each step prints what kube-apiserver would report for the value (provider, key, stale).
set -euo pipefail
atrest() { ${ATREST:-pnpm exec atrest} "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
etcd_key=/registry/secrets/default/db-password

key1=$(atrest keygen --provider aesgcm)
key2=$(atrest keygen --provider aesgcm)
config() { # writes a config whose aesgcm keys are "$@" (name=secret ...), in order, then identity
  {
    printf 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n'
    printf '  - resources: [secrets]\n    providers:\n      - aesgcm:\n          keys:\n'
    for kv in "$@"; do printf '            - name: %s\n              secret: %s\n' "${kv%%=*}" "${kv#*=}"; done
    printf '      - identity: {}\n'
  } > "$work/config.yaml"
  atrest validate "$work/config.yaml" >/dev/null
}
show() { atrest decrypt --config "$work/config.yaml" --resource secrets --etcd-key "$etcd_key" --in "$1" -o json \
  | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(`  read by ${r.provider}:${r.keyName}, stale=${r.stale}`)'; }

echo "1. key1 writes"
config "key1=$key1"
printf 's3cr3t' | atrest encrypt --config "$work/config.yaml" --resource secrets --etcd-key "$etcd_key" > "$work/v1"
show "$work/v1"

echo "2. add key2 as the SECOND key (restart every apiserver with this config before step 3)"
config "key1=$key1" "key2=$key2"
show "$work/v1"

echo "3. swap: key2 first, so it writes; values under key1 are now stale"
config "key2=$key2" "key1=$key1"
show "$work/v1"

echo "4. re-encrypt every value (on a cluster: kubectl get secrets -A -o json | kubectl replace -f -)"
atrest decrypt --config "$work/config.yaml" --resource secrets --etcd-key "$etcd_key" --in "$work/v1" \
  | atrest encrypt --config "$work/config.yaml" --resource secrets --etcd-key "$etcd_key" > "$work/v2"
show "$work/v2"

echo "5. remove key1: re-encrypted values read; anything still under key1 no longer would"
config "key2=$key2"
show "$work/v2"
if atrest decrypt --config "$work/config.yaml" --resource secrets --etcd-key "$etcd_key" --in "$work/v1" 2>"$work/err"; then
  echo "  unexpected: the old value still decrypted" >&2; exit 1
fi
echo "  old value: $(cat "$work/err")"
