#!/usr/bin/env bash
# Idempotent set-up for a fresh clone: pnpm, dependencies, build, and (for the test suite) Go and etcd.
# Usage: bash scripts/setup.sh [--with-system-deps]
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if [ "${node_version%%.*}" -lt "$need_node_major" ]; then
  echo "atrest needs Node.js >= 20.19 (found ${node_version})" >&2
  exit 1
fi

if [ "${1:-}" = "--with-system-deps" ]; then
  # The test suite drives our Go reference peer (golang-go, golang-golang-x-crypto-dev) and a real
  # etcd (etcd-server, etcd-client), and runs a browser test in headless Chromium (chromium). The
  # auditor's Go anchor (benchmarks/go, atrest-audit-go) reads snapshots with go.etcd.io/bbolt
  # (golang-github-coreos-bbolt-dev). Install them when missing and we can.
  missing=()
  command -v go >/dev/null 2>&1 || missing+=(golang-go)
  [ -d /usr/share/gocode/src/golang.org/x/crypto ] || missing+=(golang-golang-x-crypto-dev)
  [ -d /usr/share/gocode/src/go.etcd.io/bbolt ] || missing+=(golang-github-coreos-bbolt-dev)
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing ${missing[*]} with apt-get" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "setup: please install these Debian packages first: ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

# pnpm: npm's global install verifies the tarball against the registry's integrity hash. Corepack is
# the fallback only: some corepack releases reject the registry's current signing keys.
if ! pnpm --version >/dev/null 2>&1; then
  echo "setup: installing pnpm" >&2
  if ! npm install -g pnpm@10.34.8 >/dev/null 2>&1; then
    corepack enable >/dev/null 2>&1 && corepack prepare pnpm@10.34.8 --activate >/dev/null 2>&1 || true
  fi
  if ! pnpm --version >/dev/null 2>&1; then
    echo "setup: could not install pnpm 10.34.8 (npm install -g pnpm@10.34.8 failed)" >&2
    exit 1
  fi
fi

pnpm install --frozen-lockfile --reporter=append-only
# pnpm builds the optional native addon when it installs @atrest/native; rebuild it here when its
# C sources changed since (an edited checkout). A failed build only means the node backend is used.
addon=packages/native/build/Release/atrest_native.node
if [ ! -f "$addon" ] || [ -n "$(find packages/native/addon packages/native/binding.gyp -newer "$addon" 2>/dev/null | head -n 1)" ]; then
  node packages/native/scripts/build-addon.cjs
fi
pnpm run --silent build
