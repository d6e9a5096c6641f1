#!/bin/sh
# Builds the Go anchor of the benchmarks (benchmarks/go/src/atrestbench) into
# benchmarks/go/bin/atrest-bench-go. Needs Go >= 1.19 and golang.org/x/crypto in
# /usr/share/gocode (Debian/Ubuntu: apt-get install golang-go golang-golang-x-crypto-dev).
# GOPATH mode, no network. The GOPATH also holds test-vectors/go, whose independent peer
# (atrestpeer) cross-validates every benchmarked output before timing.
# Also builds the auditor's anchor, benchmarks/go/bin/atrest-audit-go, which needs go.etcd.io/bbolt
# (golang-github-coreos-bbolt-dev).
# Safe to run concurrently (each run renames its own output into place).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export GO111MODULE=off
export GOPATH="$here:$repo/test-vectors/go:${ATREST_GOCODE:-/usr/share/gocode}"
export GOFLAGS=
export CGO_ENABLED=0
# The build cache stays in the git-ignored bin/ unless the caller chose one.
export GOCACHE="${GOCACHE:-$here/bin/.gocache}"
mkdir -p "$here/bin"
tmp="$here/bin/.atrest-bench-go.$$"
trap 'rm -f "$tmp"' EXIT
go build -trimpath -o "$tmp" atrestbench/cmd/atrest-bench-go
mv -f "$tmp" "$here/bin/atrest-bench-go"
# The auditor's anchor.
tmp2="$here/bin/.atrest-audit-go.$$"
trap 'rm -f "$tmp" "$tmp2"' EXIT
go build -trimpath -o "$tmp2" atrestbench/cmd/atrest-audit-go
mv -f "$tmp2" "$here/bin/atrest-audit-go"
