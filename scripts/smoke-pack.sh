#!/usr/bin/env bash
# Packs the package and runs the tarball the way a user would (`npx ./plex-diagnose-*.tgz`), from a scratch folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$scratch" | tail -n 1)
cd "$scratch"
# A relative path: npx executes an absolute tarball path as a command (toolchain.md §4).
version=$(npx -y "./$tarball" --version)
expected=$(node -p "require('$root/package.json').version")
[ "$version" = "$expected" ] || { echo "packed CLI printed '$version', expected '$expected'" >&2; exit 1; }
if npx -y "./$tarball" --help | grep -q "demo"; then
  npx -y "./$tarball" demo --no-color >"$scratch/demo.txt" || [ $? -eq 1 ]
  grep -q "plex-diagnose" "$scratch/demo.txt"
fi
echo "packed tarball OK: $tarball ($version)"
