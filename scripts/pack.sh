#!/usr/bin/env bash
# Packs every publishable package (packages/*, not "private") the way a release does, into OUTDIR
# (default .tmp/pack): build, copy the root LICENSE into each package, `pnpm pack` (which rewrites
# `workspace:*` dependency ranges to the versions in the workspace), and check each tarball: no
# `workspace:` range left, LICENSE, README.md and package.json present. Prints one tarball path per
# line on stdout (progress goes to stderr). Publish with: npm publish OUTDIR/<name>.tgz (see
# docs/releasing.md). Set ATREST_PACK_NO_BUILD=1 to skip the build when dist is known current.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/.tmp/pack}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ "${ATREST_PACK_NO_BUILD:-0}" != 1 ]; then
  (cd "$root" && pnpm run --silent build) >&2
fi

copied=()
cleanup() { for f in "${copied[@]}"; do rm -f "$f"; done; }
trap cleanup EXIT

for dir in "$root"/packages/*/; do
  dir="${dir%/}"
  [ -f "$dir/package.json" ] || continue
  if node -e 'process.exit(require(process.argv[1]).private === true ? 0 : 1)' "$dir/package.json"; then
    continue
  fi
  if [ ! -e "$dir/LICENSE" ]; then
    cp "$root/LICENSE" "$dir/LICENSE"
    copied+=("$dir/LICENSE")
  fi
  # pnpm pack prints the tarball's path last; --pack-destination puts it in $out.
  tgz="$(cd "$dir" && pnpm pack --pack-destination "$out" | tail -n 1)"
  case "$tgz" in /*) ;; *) tgz="$out/$(basename "$tgz")" ;; esac
  [ -f "$tgz" ] || { echo "pack.sh: no tarball for $dir ($tgz)" >&2; exit 1; }
  node - "$tgz" <<'NODE'
const { execFileSync } = require('node:child_process');
const tgz = process.argv[2];
const list = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n');
for (const f of ['package/package.json', 'package/LICENSE', 'package/README.md']) {
  if (!list.includes(f)) throw new Error(`${tgz}: ${f} missing`);
}
const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
  for (const [name, range] of Object.entries(pkg[field] ?? {})) {
    if (String(range).startsWith('workspace:')) throw new Error(`${tgz}: ${field}.${name} is still ${range}`);
  }
}
if (pkg.private) throw new Error(`${tgz}: private package packed`);
NODE
  echo "$tgz"
done
