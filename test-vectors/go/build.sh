#!/bin/sh
# Builds atrest's independent Go peer (test-vectors/go/src/atrestpeer) into
# test-vectors/go/bin/atrest-go-peer, and its conformance-protocol adapter into
# test-vectors/go/bin/atrest-go-conformance. Needs Go >= 1.19, golang.org/x/crypto and
# gopkg.in/yaml.v3 in /usr/share/gocode (Debian/Ubuntu: apt-get install golang-go
# golang-golang-x-crypto-dev golang-gopkg-yaml.v3-dev).
# GOPATH mode, no network. Safe to run concurrently (each run renames its own output into place).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export GO111MODULE=off
export GOPATH="$here:${ATREST_GOCODE:-/usr/share/gocode}"
export GOFLAGS=
export CGO_ENABLED=0
# The build cache stays in the git-ignored bin/ unless the caller chose one, so a fresh clone
# (CI runs as root, maybe without HOME) needs nothing outside the repository.
export GOCACHE="${GOCACHE:-$here/bin/.gocache}"
mkdir -p "$here/bin"
tmp="$here/bin/.atrest-go-peer.$$"
tmp2="$here/bin/.atrest-go-conformance.$$"
trap 'rm -f "$tmp" "$tmp2"' EXIT
go build -trimpath -o "$tmp" atrestpeer/cmd/atrest-go-peer
mv -f "$tmp" "$here/bin/atrest-go-peer"
go build -trimpath -o "$tmp2" atrestpeer/cmd/atrest-go-conformance
mv -f "$tmp2" "$here/bin/atrest-go-conformance"
