#!/bin/sh
# Builds atrest's independent Go peer (test-vectors/go/src/atrestpeer) into
# test-vectors/go/bin/atrest-go-peer. Needs Go >= 1.19 and golang.org/x/crypto in
# /usr/share/gocode (Debian/Ubuntu: apt-get install golang-go golang-golang-x-crypto-dev).
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
trap 'rm -f "$tmp"' EXIT
go build -trimpath -o "$tmp" atrestpeer/cmd/atrest-go-peer
mv -f "$tmp" "$here/bin/atrest-go-peer"
